// Image augmentation in the manner of Keras' ImageDataGenerator: each image of a batch gets its
// own random affine transform (rotation, shift, shear, zoom about the centre) and random flips,
// then `rescale`. Pixels are resampled bilinearly, so every output is a convex combination of
// input pixels (and `cval` where the transform reaches outside): the value range is kept.
// Runs on the host, per batch, with the generator dg.manualSeed seeds.
import { random } from '../core/random.js';
import type { HostTensor } from '../io/safetensors.js';
import { DataLoader, type DataLoaderOptions, TensorDataset } from './dataset.js';
import { type DirectoryIterator, flowFromDirectory, type FlowFromDirectoryOptions } from './directory.js';

export type FillMode = 'nearest' | 'constant' | 'reflect' | 'wrap';

export interface ImageDataGeneratorOptions {
  /** Multiplies every pixel after the transform (Keras: rescale=1/255). */
  rescale?: number;
  /** Degrees; the angle is uniform in [-r, r]. */
  rotationRange?: number;
  /** A fraction of the width if < 1, else pixels; the shift is uniform in [-r, r]. */
  widthShiftRange?: number;
  heightShiftRange?: number;
  /** Shear angle in degrees, uniform in [-r, r]. */
  shearRange?: number;
  /** z gives zoom factors in [1 - z, 1 + z]; [lo, hi] gives them directly. Rows and columns draw independently. */
  zoomRange?: number | [number, number];
  horizontalFlip?: boolean;
  verticalFlip?: boolean;
  /** How points outside the image are filled (Keras' default: 'nearest'). */
  fillMode?: FillMode;
  /** The value for fillMode 'constant'. */
  cval?: number;
  /** The fraction of each class folder flowFromDirectory's subset 'validation' takes (the rest is 'training'). */
  validationSplit?: number;
}

/** Maps an integer coordinate onto 0..n-1 by the fill mode; -1 means "use cval". */
function edge(mode: FillMode, i: number, n: number): number {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case 'constant': return -1;
    case 'nearest': return i < 0 ? 0 : n - 1;
    case 'wrap': return ((i % n) + n) % n;
    case 'reflect': {
      // Half-sample symmetric, as scipy's 'reflect': d c b a | a b c d | d c b a
      const m = ((i % (2 * n)) + 2 * n) % (2 * n);
      return m < n ? m : 2 * n - 1 - m;
    }
  }
}

export class ImageDataGenerator {
  private readonly o: Required<Omit<ImageDataGeneratorOptions, 'zoomRange' | 'validationSplit'>> & { zoom: [number, number] };
  readonly validationSplit: number;
  /** Whether any random transform is on; without one, apply only rescales. */
  private readonly transforms: boolean;

  constructor(options: ImageDataGeneratorOptions = {}) {
    const zoom = options.zoomRange ?? 0;
    const range: [number, number] = typeof zoom === 'number' ? [1 - zoom, 1 + zoom] : zoom;
    if (!(range[0] > 0 && range[0] <= range[1])) throw new Error(`ImageDataGenerator: zoomRange must give 0 < lo <= hi, got [${range.join(', ')}]`);
    for (const k of ['rotationRange', 'widthShiftRange', 'heightShiftRange', 'shearRange'] as const) {
      const v = options[k] ?? 0;
      if (!(v >= 0 && Number.isFinite(v))) throw new Error(`ImageDataGenerator: ${k} must be a non-negative number, got ${v}`);
    }
    const fillMode = options.fillMode ?? 'nearest';
    if (!['nearest', 'constant', 'reflect', 'wrap'].includes(fillMode)) {
      throw new Error(`ImageDataGenerator: fillMode must be 'nearest', 'constant', 'reflect' or 'wrap', got '${fillMode}'`);
    }
    const split = options.validationSplit ?? 0;
    if (!(split >= 0 && split < 1)) throw new Error(`ImageDataGenerator: validationSplit must be in [0, 1), got ${split}`);
    this.validationSplit = split;
    this.o = {
      rescale: options.rescale ?? 1, rotationRange: options.rotationRange ?? 0,
      widthShiftRange: options.widthShiftRange ?? 0, heightShiftRange: options.heightShiftRange ?? 0,
      shearRange: options.shearRange ?? 0, zoom: range, horizontalFlip: options.horizontalFlip ?? false,
      verticalFlip: options.verticalFlip ?? false, fillMode, cval: options.cval ?? 0,
    };
    const o = this.o;
    this.transforms = o.rotationRange > 0 || o.widthShiftRange > 0 || o.heightShiftRange > 0 || o.shearRange > 0
      || o.zoom[0] !== 1 || o.zoom[1] !== 1 || o.horizontalFlip || o.verticalFlip;
  }

  /**
   * A transformed copy of a batch [N, C, H, W]; all channels of an image move together. The
   * transforms draw from `rand` (default: the generator dg.manualSeed seeds).
   */
  apply(batch: HostTensor, rand: () => number = random): HostTensor {
    if (batch.shape.length !== 4 || !(batch.data instanceof Float32Array)) {
      throw new Error(`ImageDataGenerator: expected float32 images [N, C, H, W], got ${batch.data.constructor.name} of shape [${batch.shape.join(', ')}]`);
    }
    const [n, c, h, w] = batch.shape as [number, number, number, number];
    const out = new Float32Array(batch.data.length);
    if (!this.transforms) {
      for (let i = 0; i < out.length; i++) out[i] = batch.data[i]! * this.o.rescale;
      return { shape: batch.shape, data: out };
    }
    for (let i = 0; i < n; i++) this.transformImage(batch.data, out, i * c * h * w, c, h, w, rand);
    return { shape: batch.shape, data: out };
  }

  /** Like Keras' flow(x, y): a DataLoader (shuffled, batches of 32 by default) that augments x. */
  flow(x: HostTensor, y?: HostTensor, options: Omit<DataLoaderOptions, 'transform'> = {}): DataLoader {
    const dataset = y ? new TensorDataset(x, y) : new TensorDataset(x);
    return new DataLoader(dataset, {
      batchSize: 32, shuffle: true, ...options,
      transform: ([images, ...rest]) => [this.apply(images!), ...rest],
    });
  }

  /**
   * Keras' flow_from_directory: batches read from `directory`'s class subfolders (sorted names
   * give the class indices), resized, then augmented by this generator. Node only.
   */
  flowFromDirectory(directory: string, options?: FlowFromDirectoryOptions): DirectoryIterator {
    return flowFromDirectory(this, directory, options);
  }

  private transformImage(src: Float32Array, dst: Float32Array, base: number, channels: number, h: number, w: number, rand: () => number): void {
    const o = this.o;
    const uniform = (lo: number, hi: number) => lo + (hi - lo) * rand();
    const deg = Math.PI / 180;
    const theta = uniform(-o.rotationRange, o.rotationRange) * deg;
    const shift = (r: number, size: number) => uniform(-r, r) * (r < 1 ? size : 1);
    const ty = shift(o.heightShiftRange, h);
    const tx = shift(o.widthShiftRange, w);
    const shear = uniform(-o.shearRange, o.shearRange) * deg;
    const zy = uniform(o.zoom[0], o.zoom[1]);
    const zx = uniform(o.zoom[0], o.zoom[1]);
    const flipX = o.horizontalFlip && rand() < 0.5;
    const flipY = o.verticalFlip && rand() < 0.5;
    // Output (row, col) -> input (row, col) = R(theta) Shear Zoom (out - centre) + centre + shift,
    // the same composition Keras hands to scipy's affine_transform.
    const cos = Math.cos(theta);
    const sin = Math.sin(theta);
    const s00 = zy, s01 = -Math.sin(shear) * zx, s11 = Math.cos(shear) * zx;
    const a = cos * s00, b = cos * s01 - sin * s11, c = sin * s00, d = sin * s01 + cos * s11;
    const cy = (h - 1) / 2;
    const cx = (w - 1) / 2;
    for (let r = 0; r < h; r++) {
      for (let q = 0; q < w; q++) {
        // Flips act on the transformed image, as in Keras.
        const dr = (flipY ? h - 1 - r : r) - cy;
        const dq = (flipX ? w - 1 - q : q) - cx;
        const y = a * dr + b * dq + cy + ty;
        const x = c * dr + d * dq + cx + tx;
        const y0 = Math.floor(y), x0 = Math.floor(x);
        const fy = y - y0, fx = x - x0;
        const rows = [edge(o.fillMode, y0, h), edge(o.fillMode, y0 + 1, h)];
        const cols = [edge(o.fillMode, x0, w), edge(o.fillMode, x0 + 1, w)];
        const weights = [(1 - fy) * (1 - fx), (1 - fy) * fx, fy * (1 - fx), fy * fx];
        for (let ch = 0; ch < channels; ch++) {
          const plane = base + ch * h * w;
          let v = 0;
          for (let k = 0; k < 4; k++) {
            if (weights[k] === 0) continue;
            const rr = rows[k >> 1]!, cc = cols[k & 1]!;
            v += weights[k]! * (rr < 0 || cc < 0 ? o.cval : src[plane + rr * w + cc]!);
          }
          dst[plane + r * w + q] = v * o.rescale;
        }
      }
    }
  }
}
