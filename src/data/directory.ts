// Keras' flow_from_directory: a folder with one subfolder per class, read in batches straight
// from disk. Scanning the tree keeps only file names; each batch reads, decodes and resizes just
// its own files, so a folder larger than memory trains. Node only (it reads files): the browser
// build swaps in directory.browser.ts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { random, seededRandom } from '../core/random.js';
import type { HostTensor } from '../io/safetensors.js';
import type { ImageDataGenerator } from './augment.js';
import { DataLoader, type Dataset } from './dataset.js';
import { decodeImage } from './decode.js';
import { CHANNELS, type ColorMode, imageToPlanes, type Interpolation } from './resize.js';

export type ClassMode = 'categorical' | 'binary' | 'sparse' | null;

export interface FlowFromDirectoryOptions {
  /** [height, width] every image is resized to (Keras' default: [256, 256]). */
  targetSize?: [number, number];
  /** 'rgb' (default), 'grayscale' or 'rgba': the channels C of the images [N, C, H, W]. */
  colorMode?: ColorMode;
  /** The class subfolders to use, in index order (default: every subfolder, sorted by name). */
  classes?: string[];
  /**
   * The labels each batch carries (default 'categorical'): one-hot float32 [N, numClasses];
   * 'binary' float32 0/1 [N] (two classes); 'sparse' int32 class indices [N] (Keras gives them
   * as floats; dawngrad's sparse losses take int32); null: no labels, batches are [images].
   */
  classMode?: ClassMode;
  /** Default 32. */
  batchSize?: number;
  /** A new order each pass (default true). */
  shuffle?: boolean;
  /** Seeds this iterator's own generator for its shuffles and augmentations (default: the dg.manualSeed stream). */
  seed?: number;
  /** 'training' or 'validation': the part the generator's validationSplit gives (Keras' split per class folder). */
  subset?: 'training' | 'validation';
  /** How images are resized (default 'bilinear'; Keras' default is 'nearest'). See resize.ts. */
  interpolation?: Interpolation;
}

/** The extensions Keras takes as images; dawngrad decodes the first three and refuses the rest by name. */
const DECODED = new Set(['.png', '.jpg', '.jpeg']);
const UNDECODED = new Set(['.bmp', '.ppm', '.tif', '.tiff']);

const OP = 'flowFromDirectory';

/** The image files under `dir` (not following linked folders), ordered as Keras' os.walk: by folder path, then name. */
function walk(dir: string): { files: string[]; undecodable: string[] } {
  const folders: [string, string[]][] = [];
  const visit = (d: string) => {
    const entries = readdirSync(d, { withFileTypes: true });
    folders.push([d, entries.filter((e) => !e.isDirectory()).map((e) => e.name)]);
    for (const e of entries) if (e.isDirectory()) visit(join(d, e.name));
  };
  visit(dir);
  folders.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const files: string[] = [], undecodable: string[] = [];
  for (const [d, names] of folders) {
    for (const name of names.sort()) {
      const ext = extname(name).toLowerCase();
      if (DECODED.has(ext)) files.push(join(d, name));
      else if (UNDECODED.has(ext)) undecodable.push(join(d, name));
    }
  }
  return { files, undecodable };
}

const isDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** The images of a class folder tree as a Dataset: take() reads and decodes only the files asked for. */
export class DirectoryDataset implements Dataset {
  readonly length: number;
  readonly channels: number;

  constructor(
    readonly filepaths: readonly string[],
    readonly classes: Int32Array,
    readonly numClasses: number,
    readonly options: { targetSize: [number, number]; colorMode: ColorMode; classMode: ClassMode; interpolation: Interpolation },
  ) {
    this.length = filepaths.length;
    this.channels = CHANNELS[options.colorMode];
  }

  take(indices: ArrayLike<number>): HostTensor[] {
    const [h, w] = this.options.targetSize;
    const per = this.channels * h * w;
    const images = new Float32Array(indices.length * per);
    for (let i = 0; i < indices.length; i++) {
      const path = this.filepaths[indices[i]!]!;
      try {
        imageToPlanes(decodeImage(readFileSync(path)), this.options.colorMode, h, w, this.options.interpolation, images, i * per);
      } catch (e) {
        throw new Error(`${OP}: cannot read image ${path}: ${(e as Error).message}`);
      }
    }
    const out: HostTensor = { shape: [indices.length, this.channels, h, w], data: images };
    const labels = Array.from(indices, (k) => this.classes[k]!);
    switch (this.options.classMode) {
      case null: return [out];
      case 'sparse': return [out, { shape: [labels.length], data: Int32Array.from(labels) }];
      case 'binary': return [out, { shape: [labels.length], data: Float32Array.from(labels) }];
      case 'categorical': {
        const onehot = new Float32Array(labels.length * this.numClasses);
        labels.forEach((c, i) => { onehot[i * this.numClasses + c] = 1; });
        return [out, { shape: [labels.length, this.numClasses], data: onehot }];
      }
    }
  }
}

/**
 * What flowFromDirectory returns: batches [images, labels] (or [images] with classMode null) for
 * fit, `for (const [x, y] of it)`, as a DataLoader, with Keras' attributes. Each pass reshuffles
 * (when shuffle) and augments anew.
 */
export class DirectoryIterator extends DataLoader {
  /** Class name -> index (Keras' class_indices). */
  readonly classIndices: Record<string, number>;
  /** Each image's path relative to the directory, e.g. 'cats/001.png', in class then walk order. */
  readonly filenames: readonly string[];
  /** The same files as full paths. */
  readonly filepaths: readonly string[];
  /** Each image's class index, in the order of filenames. */
  readonly classes: Int32Array;
  readonly samples: number;
  readonly numClasses: number;
  /** [C, H, W] of every image. */
  readonly imageShape: [number, number, number];
  readonly classMode: ClassMode;

  constructor(readonly directory: string, generator: ImageDataGenerator, options: FlowFromDirectoryOptions = {}) {
    const targetSize = options.targetSize ?? [256, 256];
    if (!Array.isArray(targetSize) || targetSize.length !== 2 || !targetSize.every((v) => Number.isInteger(v) && v > 0)) {
      throw new Error(`${OP}: targetSize must be [height, width] of positive integers, got ${JSON.stringify(targetSize)}`);
    }
    const colorMode = options.colorMode ?? 'rgb';
    if (!(colorMode in CHANNELS)) throw new Error(`${OP}: colorMode must be 'rgb', 'grayscale' or 'rgba', got '${String(colorMode)}'`);
    const classMode = options.classMode === undefined ? 'categorical' : options.classMode;
    if (!['categorical', 'binary', 'sparse', null].includes(classMode)) {
      throw new Error(`${OP}: classMode must be 'categorical', 'binary', 'sparse' or null, got '${String(classMode)}'`);
    }
    const interpolation = options.interpolation ?? 'bilinear';
    if (interpolation !== 'bilinear' && interpolation !== 'nearest') throw new Error(`${OP}: interpolation must be 'bilinear' or 'nearest', got '${String(interpolation)}'`);
    const split = splitRange(generator.validationSplit, options.subset);
    if (!isDir(directory)) throw new Error(`${OP}: ${directory} is not a directory`);
    const names = options.classes ?? readdirSync(directory).filter((d) => isDir(join(directory, d))).sort();
    if (names.length === 0) throw new Error(`${OP}: ${directory} has no class subfolders (expected one folder of images per class, e.g. ${join(directory, 'cats')})`);
    for (const name of names) if (!isDir(join(directory, name))) throw new Error(`${OP}: class '${name}' has no folder ${join(directory, name)}`);
    if (classMode === 'binary' && names.length !== 2) {
      throw new Error(`${OP}: classMode 'binary' needs exactly 2 classes, found ${names.length} (${names.join(', ')}) in ${directory}`);
    }
    const filepaths: string[] = [], labels: number[] = [];
    for (const [c, name] of names.entries()) {
      const { files, undecodable } = walk(join(directory, name));
      if (undecodable.length > 0) {
        const more = undecodable.length > 1 ? ` (and ${undecodable.length - 1} more files like it)` : '';
        throw new Error(`${OP}: ${undecodable[0]}${more} is in an image format dawngrad does not decode; only PNG and JPEG are (convert such files, or move them out of ${directory})`);
      }
      const kept = files.slice(Math.trunc(split[0] * files.length), Math.trunc(split[1] * files.length));
      for (const f of kept) {
        filepaths.push(f);
        labels.push(c);
      }
    }
    if (filepaths.length === 0) {
      throw new Error(`${OP}: no PNG or JPEG images in the ${names.length} class folders of ${directory}${options.subset ? ` (subset '${options.subset}')` : ''}`);
    }
    const classes = Int32Array.from(labels);
    const dataset = new DirectoryDataset(filepaths, classes, names.length, { targetSize, colorMode, classMode, interpolation });
    const rand = options.seed === undefined ? random : seededRandom(options.seed);
    super(dataset, {
      batchSize: options.batchSize ?? 32,
      shuffle: options.shuffle ?? true,
      random: rand,
      transform: ([images, ...rest]) => [generator.apply(images!, rand), ...rest],
    });
    this.classIndices = Object.fromEntries(names.map((n, i) => [n, i]));
    this.filepaths = filepaths;
    this.filenames = filepaths.map((p) => relative(directory, p).split('\\').join('/'));
    this.classes = classes;
    this.samples = filepaths.length;
    this.numClasses = names.length;
    this.imageShape = [dataset.channels, targetSize[0], targetSize[1]];
    this.classMode = classMode;
  }
}

/** The fraction [from, to) of each class's files a subset keeps, as Keras' DirectoryIterator. */
function splitRange(validationSplit: number, subset: FlowFromDirectoryOptions['subset']): [number, number] {
  if (subset === undefined) return [0, 1];
  if (subset !== 'training' && subset !== 'validation') throw new Error(`${OP}: subset must be 'training' or 'validation', got '${String(subset)}'`);
  if (!(validationSplit > 0)) throw new Error(`${OP}: subset '${subset}' needs the generator's validationSplit (e.g. new ImageDataGenerator({ validationSplit: 0.2 }))`);
  return subset === 'validation' ? [0, validationSplit] : [validationSplit, 1];
}

/** ImageDataGenerator.flowFromDirectory's body (here so the generator itself stays browser-safe). */
export function flowFromDirectory(generator: ImageDataGenerator, directory: string, options?: FlowFromDirectoryOptions): DirectoryIterator {
  return new DirectoryIterator(directory, generator, options);
}
