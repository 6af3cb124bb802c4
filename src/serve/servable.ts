// One loaded model version: the module (eval mode), its input and output specs, and the
// batcher that feeds it. Forward runs under noGrad inside tidy, so a batch leaves nothing
// behind on the device but what the next read-back frees.
import { noGrad } from '../core/engine.js';
import { tensor } from '../core/ops/creation.js';
import { fmt } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { tidy } from '../core/tidy.js';
import { load } from '../io/model.js';
import type { AnyModule } from '../nn/module.js';
import { outputKind } from '../train/losses.js';
import { type BatchHooks, Batcher, type BatchOptions } from './batcher.js';
import { inputSpec, OUTPUT_NAME } from './signature.js';
import type { HostTensor, TensorSpec } from './tensors.js';

export class Servable {
  readonly batcher: Batcher;
  #output: TensorSpec;

  private constructor(
    readonly name: string,
    readonly version: string,
    readonly model: AnyModule,
    readonly input: TensorSpec,
    readonly inputSource: string,
    output: TensorSpec,
    batching: BatchOptions,
    hooks: BatchHooks,
  ) {
    this.#output = output;
    this.batcher = new Batcher((x) => this.forward(x), batching, hooks);
  }

  /** Loads the file and runs one example through it when the input shape is fully known (a warm-up that also finds the output shape). */
  static async load(name: string, version: string, path: string, batching: BatchOptions, hooks: BatchHooks): Promise<Servable> {
    const model = await load(path);
    model.eval();
    const { spec, source } = inputSpec(model);
    const s = new Servable(name, version, model, spec, source, { name: OUTPUT_NAME, dtype: 'float32', shape: null }, batching, hooks);
    if (spec.shape && spec.shape.slice(1).every((d) => d > 0)) {
      try {
        await s.forward({ data: spec.dtype === 'int32' ? new Int32Array(sizeOfExample(spec)) : new Float32Array(sizeOfExample(spec)), shape: [1, ...spec.shape.slice(1)] });
      } catch (e) {
        s.dispose();
        throw new Error(`a warm-up example of shape ${fmt([1, ...spec.shape.slice(1)])} failed: ${(e as Error).message}`);
      }
    }
    return s;
  }

  get output(): TensorSpec {
    return this.#output;
  }

  /** Ends in Softmax/Sigmoid: its outputs are already probabilities (for :classify). */
  get probabilities(): boolean {
    return outputKind(this.model) === 'probabilities';
  }

  /** The model on one batch, read back to the host. */
  async forward(x: HostTensor): Promise<HostTensor> {
    const out = noGrad(() => tidy(() => {
      const y = this.model.forward(tensor(x.data, x.shape, { dtype: this.input.dtype }));
      if (!(y instanceof Tensor)) throw new Error(`the model's forward returned ${typeof y}, not one Tensor`);
      return y;
    }));
    try {
      const data = await out.data();
      const shape = [...out.shape];
      this.#output = { name: OUTPUT_NAME, dtype: out.dtype, shape: mergeShape(this.#output.shape, shape) };
      return { data, shape };
    } finally {
      out.dispose();
    }
  }

  /** Frees the weights (after the batcher has drained). */
  dispose(): void {
    for (const t of Object.values(this.model.stateDict())) t.dispose();
  }
}

/** The output shape seen so far: the batch free, and any size that differed between batches free too. */
function mergeShape(known: number[] | null, shape: number[]): number[] {
  if (known === null || known.length !== shape.length) return [-1, ...shape.slice(1)];
  return known.map((d, i) => (i === 0 || d !== shape[i] ? -1 : d));
}

function sizeOfExample(spec: TensorSpec): number {
  return spec.shape!.slice(1).reduce((a, b) => a * b, 1);
}

