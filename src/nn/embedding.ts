// nn.Embedding: a [numEmbeddings, embeddingDim] table looked up by int32 indices of any shape,
// initialised from N(0, 1) as in PyTorch.
import { embedding } from '../core/ops/embedding.js';
import type { Tensor } from '../core/tensor.js';
import { normal } from './init.js';
import { Module, registerLayer, type JsonObject } from './module.js';

export class Embedding extends Module {
  readonly weight: Tensor;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number) {
    super();
    for (const [name, v] of [['numEmbeddings', numEmbeddings], ['embeddingDim', embeddingDim]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`Embedding: ${name} must be a positive integer, got ${v}`);
    }
    this.weight = this.param(normal([numEmbeddings, embeddingDim]));
  }

  /** indices int32 [...] -> [..., embeddingDim]. */
  override forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight);
  }

  override config(): JsonObject {
    return { numEmbeddings: this.numEmbeddings, embeddingDim: this.embeddingDim };
  }
}

registerLayer('Embedding', Embedding, (c) => new Embedding(c.numEmbeddings as number, c.embeddingDim as number));
