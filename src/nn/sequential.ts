// nn.Sequential: children named '0', '1', ... (PyTorch's state-dict keys), each fed the
// previous one's output.
import type { Tensor } from '../core/tensor.js';
import { buildLayer, Module, registerLayer, type AnyModule, type JsonObject, type LayerSpec } from './module.js';

export class Sequential extends Module<[Tensor], Tensor> {
  readonly #layers: AnyModule[];

  /** new Sequential(a, b, c) as in PyTorch, or new Sequential([a, b, c]) as in Keras. */
  constructor(...layers: AnyModule[] | [AnyModule[]]) {
    super();
    const list = (layers.length === 1 && Array.isArray(layers[0]) ? layers[0] : layers) as AnyModule[];
    list.forEach((m, i) => {
      if (!(m instanceof Module)) throw new Error(`Sequential: layer ${i} is not an nn.Module (got ${String(m)})`);
      this.registerModule(String(i), m);
    });
    this.#layers = list;
  }

  get length(): number { return this.#layers.length; }
  at(i: number): AnyModule | undefined { return this.#layers.at(i); }
  layers(): readonly AnyModule[] { return this.#layers; }

  override forward(x: Tensor): Tensor {
    let y: unknown = x;
    for (const m of this.#layers) y = m.forward(y);
    return y as Tensor;
  }

  override config(): JsonObject {
    return { layers: this.#layers.map((m) => m.spec()) };
  }

  override extraRepr(): string { return ''; }
}

registerLayer('Sequential', Sequential, (c) => new Sequential((c.layers as unknown as LayerSpec[]).map(buildLayer)));
