// Putting a training checkpoint back into a compiled model before fit continues: the model's
// weights, the optimizer's state and settings, and each stateful callback's state. The setup
// (optimizer kind, stateful callbacks in order) is compared first, so a checkpoint of another
// run is refused with the reason before anything is loaded.
import type { AnyModule } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { Callback } from './callbacks.js';
import type { TrainingCheckpoint } from './trainingCheckpoint.js';

export function restoreTraining(path: string, ckpt: TrainingCheckpoint, model: AnyModule, optimizer: Optimizer<{ lr: number }>, callbacks: readonly Callback[]): void {
  const where = `fit: resumeFrom '${path}'`;
  if (ckpt.optimizerName !== optimizer.name) {
    throw new Error(`${where}: the checkpoint holds ${ckpt.optimizerName} state, but the model is compiled with ${optimizer.name}`);
  }
  const stateful = callbacks.flatMap((cb, index) => (cb.stateDict ? [`${index}: ${cb.constructor.name}`] : []));
  const saved = ckpt.callbacks.map((c) => `${c.index}: ${c.type}`);
  if (stateful.join(', ') !== saved.join(', ')) {
    throw new Error(`${where}: the checkpoint was written with the stateful callbacks [${saved.join(', ')}], this fit has [${stateful.join(', ')}]; pass the same callbacks in the same order`);
  }
  try {
    model.loadStateDict(ckpt.model);
    optimizer.loadStateDict(ckpt.optimizer);
    for (const c of ckpt.callbacks) callbacks[c.index]!.loadStateDict?.(c.state);
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
}
