// nn.Embedding: a [numEmbeddings, embeddingDim] table looked up by int32 indices of any shape,
// initialised from N(0, 1) as in PyTorch. With `paddingIdx` (PyTorch's padding_idx) that row
// starts at zeros and never receives a gradient, so padding tokens embed to zeros.
import { embedding, paddingRow, zeroRow } from '../core/ops/embedding.js';
import { checkElements, checkSize } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { normal } from './init.js';
import { Module, registerLayer, type JsonObject } from './module.js';

export interface EmbeddingOptions {
  /** The padding token's row: zeros, and no gradient. Negative counts from the end. */
  paddingIdx?: number | null;
}

export class Embedding extends Module {
  readonly weight: Tensor;
  /** The padding row as given (possibly negative), or null. */
  readonly paddingIdx: number | null;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    checkSize('Embedding', 'numEmbeddings', numEmbeddings);
    checkSize('Embedding', 'embeddingDim', embeddingDim);
    checkElements('Embedding', 'the weight', [numEmbeddings, embeddingDim]);
    this.paddingIdx = options.paddingIdx ?? null;
    const row = paddingRow('Embedding', this.paddingIdx, numEmbeddings);
    const init = normal([numEmbeddings, embeddingDim]);
    if (row !== null) zeroRow(init.backend, init.handle, row, embeddingDim);
    this.weight = this.param(init);
  }

  /** indices int32 [...] -> [..., embeddingDim]. */
  override forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight, { paddingIdx: this.paddingIdx });
  }

  override config(): JsonObject {
    return { numEmbeddings: this.numEmbeddings, embeddingDim: this.embeddingDim, paddingIdx: this.paddingIdx };
  }
}

registerLayer('Embedding', Embedding, (c) => new Embedding(c.numEmbeddings as number, c.embeddingDim as number, { paddingIdx: (c.paddingIdx ?? null) as number | null }));
