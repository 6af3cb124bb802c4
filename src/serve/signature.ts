// The served model's input: the signature saved with the model (dg.save's inputShape, or the
// batches fit trained on), else what its first layer implies. A first layer says only part of
// it (a Conv2d knows its channels, not the image size), so the free sizes stay -1 and are
// checked by the model itself; the batch dimension is always free.
import { Conv2d } from '../nn/conv.js';
import { Embedding } from '../nn/embedding.js';
import { Linear } from '../nn/linear.js';
import type { AnyModule } from '../nn/module.js';
import { RecurrentLayer } from '../nn/recurrentLayer.js';
import { Sequential } from '../nn/sequential.js';
import { inputSignature } from '../nn/signature.js';
import type { TensorSpec } from './tensors.js';

export const INPUT_NAME = 'input';
export const OUTPUT_NAME = 'output';

function firstLayer(model: AnyModule): AnyModule {
  let m = model;
  while (m instanceof Sequential && m.length > 0) m = m.at(0)!;
  return m;
}

/** The input spec, and where it came from ('saved' or 'first layer'; 'unknown' leaves only the dtype checked). */
export function inputSpec(model: AnyModule): { spec: TensorSpec; source: 'saved' | 'first layer' | 'unknown' } {
  const saved = inputSignature(model);
  if (saved) return { spec: { name: INPUT_NAME, ...saved }, source: 'saved' };
  const first = firstLayer(model);
  const spec = (dtype: 'float32' | 'int32', shape: number[] | null): TensorSpec => ({ name: INPUT_NAME, dtype, shape });
  if (first instanceof Linear) return { spec: spec('float32', [-1, first.inFeatures]), source: 'first layer' };
  if (first instanceof Conv2d) return { spec: spec('float32', [-1, first.inChannels, -1, -1]), source: 'first layer' };
  if (first instanceof Embedding) return { spec: spec('int32', null), source: 'first layer' };
  if (first instanceof RecurrentLayer && first.batchFirst) return { spec: spec('float32', [-1, -1, first.inputSize]), source: 'first layer' };
  return { spec: spec('float32', null), source: 'unknown' };
}
