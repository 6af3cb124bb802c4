// An RGBA image to the planar float channels [C, H, W] a network takes, at a target size.
// The colour conversion comes first and is PIL's (Keras' load_img converts, then resizes):
// grayscale is the ITU-R 601-2 luma L = R 299/1000 + G 587/1000 + B 114/1000, rounded to an
// integer as PIL does; alpha is dropped unless asked for. Values stay in [0, 255] (Keras leaves
// scaling to `rescale`).
//
// Resizing uses pixel centres (half-pixel offsets: output pixel i samples input coordinate
// (i + 0.5) * in / out - 0.5, clamped to the edges), the convention of torch's
// interpolate(align_corners=False) and TF's resize. 'bilinear' blends the 4 nearest pixels,
// without antialiasing, so shrinking by more than 2x skips pixels; 'nearest' takes the pixel
// whose area holds the sample point (PIL's NEAREST, Keras' default interpolation).
import type { RgbaImage } from './decode.js';

export type ColorMode = 'rgb' | 'grayscale' | 'rgba';
export type Interpolation = 'bilinear' | 'nearest';

export const CHANNELS: Record<ColorMode, number> = { rgb: 3, grayscale: 1, rgba: 4 };

/** The image's channels as planes of bytes, converted to `mode`. */
function planes(img: RgbaImage, mode: ColorMode): Uint8Array[] {
  const n = img.width * img.height;
  const d = img.data;
  if (mode === 'grayscale') {
    const l = new Uint8Array(n);
    // PIL's fixed-point luma (weights scaled by 2^16, rounded), so L(v, v, v) = v exactly.
    for (let i = 0; i < n; i++) l[i] = (d[4 * i]! * 19595 + d[4 * i + 1]! * 38470 + d[4 * i + 2]! * 7471 + 0x8000) >> 16;
    return [l];
  }
  return Array.from({ length: CHANNELS[mode] }, (_, c) => {
    const plane = new Uint8Array(n);
    for (let i = 0; i < n; i++) plane[i] = d[4 * i + c]!;
    return plane;
  });
}

/** Source coordinate per output index along one axis: [lower index, upper index, weight of upper]. */
function axis(outSize: number, inSize: number, interpolation: Interpolation): [Int32Array, Int32Array, Float64Array] {
  const lo = new Int32Array(outSize), hi = new Int32Array(outSize), t = new Float64Array(outSize);
  const scale = inSize / outSize;
  for (let i = 0; i < outSize; i++) {
    if (interpolation === 'nearest') {
      lo[i] = hi[i] = Math.min(inSize - 1, Math.floor((i + 0.5) * scale));
      continue;
    }
    const x = Math.min(inSize - 1, Math.max(0, (i + 0.5) * scale - 0.5));
    lo[i] = Math.floor(x);
    hi[i] = Math.min(inSize - 1, lo[i]! + 1);
    t[i] = x - lo[i]!;
  }
  return [lo, hi, t];
}

/** Writes `img` as [C, height, width] float values into `out` at `offset`. */
export function imageToPlanes(img: RgbaImage, mode: ColorMode, height: number, width: number, interpolation: Interpolation, out: Float32Array, offset: number): void {
  const [y0, y1, ty] = axis(height, img.height, interpolation);
  const [x0, x1, tx] = axis(width, img.width, interpolation);
  const w = img.width;
  for (const [c, p] of planes(img, mode).entries()) {
    const base = offset + c * height * width;
    for (let r = 0; r < height; r++) {
      const top = y0[r]! * w, bottom = y1[r]! * w, fy = ty[r]!;
      for (let q = 0; q < width; q++) {
        const fx = tx[q]!;
        const upper = p[top + x0[q]!]! * (1 - fx) + p[top + x1[q]!]! * fx;
        const lower = p[bottom + x0[q]!]! * (1 - fx) + p[bottom + x1[q]!]! * fx;
        out[base + r * width + q] = upper * (1 - fy) + lower * fy;
      }
    }
  }
}
