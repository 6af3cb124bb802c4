// What every example does around fit: time the epochs, then write runs/<example>/ (the model,
// its training curve, the history) and print one closing line with the metrics.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as dg from '../../src/index.js';
import { trainingCurveSvg } from './chart.js';

/** A fit callback that records each epoch's wall time. */
export class EpochTimer implements dg.train.Callback {
  readonly seconds: number[] = [];
  #start = 0;
  onEpochBegin(): void { this.#start = performance.now(); }
  onEpochEnd(): void { this.seconds.push((performance.now() - this.#start) / 1000); }
  get mean(): number { return this.seconds.reduce((a, b) => a + b, 0) / Math.max(1, this.seconds.length); }
}

const percent = (v: number) => `${(100 * v).toFixed(2)}%`;

/**
 * Saves the model and chart under `out` and prints (`split` naming what `test` was measured on) e.g.
 * "mnist: test accuracy 99.12% - loss 0.0301 - 5 epochs, 761.0 s/epoch (webgpu) - saved runs/mnist/model.safetensors".
 */
export async function finish(name: string, model: dg.nn.AnyModule, history: dg.train.History, timer: EpochTimer, test: Record<string, number>, out: string, split = 'test'): Promise<void> {
  mkdirSync(out, { recursive: true });
  const modelPath = join(out, 'model.safetensors');
  await dg.save(model, modelPath);
  writeFileSync(join(out, 'history.json'), `${JSON.stringify({ ...history.history, secondsPerEpoch: timer.seconds, test }, null, 1)}\n`);
  writeFileSync(join(out, 'curve.svg'), trainingCurveSvg(history.history));
  const metrics = Object.entries(test).map(([k, v]) => (k === 'loss' ? `loss ${v.toFixed(4)}` : `${k} ${percent(v)}`));
  console.log(`${name}: ${split} ${metrics.join(' - ')} - ${timer.seconds.length} epochs, ${timer.mean.toFixed(1)} s/epoch (${dg.backend()}) - saved ${modelPath} and ${join(out, 'curve.svg')}`);
}
