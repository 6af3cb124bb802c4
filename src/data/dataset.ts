// Datasets and the DataLoader: examples live on the host; each batch is gathered there,
// optionally transformed (augmentation), and only then uploaded to the active backend, so a
// 60000-image dataset never has to sit on the device and a batch costs one upload per column.
import { tensor } from '../core/ops/creation.js';
import { permutation } from '../core/random.js';
import { Tensor } from '../core/tensor.js';
import type { HostTensor } from '../io/safetensors.js';

/** Anything that can hand out the examples at given indices, one host array per column. */
export interface Dataset {
  readonly length: number;
  /** Column c of the result has shape [indices.length, ...exampleShape(c)]. */
  take(indices: ArrayLike<number>): HostTensor[];
}

/** Columns of equal length along their first axis (e.g. images and labels), like torch's TensorDataset. */
export class TensorDataset implements Dataset {
  readonly columns: readonly HostTensor[];
  readonly length: number;

  constructor(...columns: HostTensor[]) {
    if (columns.length === 0) throw new Error('TensorDataset: expected at least one column');
    columns.forEach((c, i) => {
      if (c instanceof Tensor) {
        throw new Error(`TensorDataset: column ${i} is a Tensor of shape [${c.shape.join(', ')}]; pass host arrays { shape, data }, or use await TensorDataset.fromTensors(...tensors)`);
      }
      const size = c.shape.reduce((a, b) => a * b, 1);
      if (c.shape.length === 0 || size !== c.data.length) {
        throw new Error(`TensorDataset: column ${i} has ${c.data.length} values and shape [${c.shape.join(', ')}]; expected [N, ...] holding them all`);
      }
    });
    this.length = columns[0]!.shape[0]!;
    const lengths = columns.map((c) => c.shape[0]);
    if (lengths.some((n) => n !== this.length)) throw new Error(`TensorDataset: columns differ in length along the first axis: ${lengths.join(' vs ')}`);
    this.columns = columns;
  }

  /** Reads tensors back from their device once, then serves batches from the host. */
  static async fromTensors(...tensors: Tensor[]): Promise<TensorDataset> {
    const columns: HostTensor[] = [];
    for (const t of tensors) columns.push({ shape: t.shape, data: await t.data() });
    return new TensorDataset(...columns);
  }

  take(indices: ArrayLike<number>): HostTensor[] {
    return this.columns.map((c) => {
      const row = c.data.length / this.length || 0;
      const out = c.data instanceof Int32Array ? new Int32Array(indices.length * row) : new Float32Array(indices.length * row);
      for (let i = 0; i < indices.length; i++) {
        const k = indices[i]!;
        if (!Number.isInteger(k) || k < 0 || k >= this.length) throw new Error(`TensorDataset: index ${k} out of range for ${this.length} examples`);
        out.set(c.data.subarray(k * row, (k + 1) * row), i * row);
      }
      return { shape: [indices.length, ...c.shape.slice(1)], data: out };
    });
  }
}

export interface DataLoaderOptions {
  /** Examples per batch (PyTorch's default: 1). */
  batchSize?: number;
  /** A fresh permutation each pass, drawn from the generator dg.manualSeed seeds. */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize. */
  dropLast?: boolean;
  /** Applied to every batch on the host before upload (e.g. ImageDataGenerator's `apply`). */
  transform?: (batch: HostTensor[]) => HostTensor[];
  /** Where the shuffles draw from, uniform in [0, 1) (default: the generator dg.manualSeed seeds). */
  random?: () => number;
}

/**
 * Iterates a dataset in batches: `for (const [x, y] of loader)`. The caller owns each batch's
 * tensors (dispose them, or run the step inside dg.tidy).
 */
export class DataLoader implements Iterable<Tensor[]> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;

  constructor(readonly dataset: Dataset, private readonly options: DataLoaderOptions = {}) {
    if (dataset === null || typeof dataset !== 'object' || !Number.isInteger(dataset.length) || typeof dataset.take !== 'function') {
      throw new Error('DataLoader: expected a Dataset ({ length, take(indices) }, e.g. a TensorDataset)');
    }
    this.batchSize = options.batchSize ?? 1;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new Error(`DataLoader: batchSize must be a positive integer, got ${this.batchSize}`);
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
  }

  /** Batches per pass. */
  get length(): number {
    const n = this.dataset.length / this.batchSize;
    return this.dropLast ? Math.floor(n) : Math.ceil(n);
  }

  /** One pass of batches on the host, transformed but not uploaded. */
  *hostBatches(): Generator<HostTensor[]> {
    const n = this.dataset.length;
    const order = this.shuffle ? permutation(n, this.options.random) : Int32Array.from({ length: n }, (_, i) => i);
    for (let b = 0; b < this.length; b++) {
      const batch = this.dataset.take(order.subarray(b * this.batchSize, Math.min(n, (b + 1) * this.batchSize)));
      yield this.options.transform ? this.options.transform(batch) : batch;
    }
  }

  *[Symbol.iterator](): Iterator<Tensor[]> {
    for (const batch of this.hostBatches()) {
      yield batch.map((c) => tensor(c.data, c.shape, { dtype: c.data instanceof Int32Array ? 'int32' : 'float32' }));
    }
  }
}
