// The child process test/sigkill.test.ts kills: trains the run of ./resumeRun.ts on cpu with a
// training checkpoint every 2 batches, continuing from the checkpoint when one exists. It says
// "training" on stdout after its first batch (so the kill comes while it trains) and "done" at
// the end. Usage: tsx test/support/checkpointChild.ts <checkpoint path>
import { existsSync } from 'node:fs';
import * as dg from '../../src/index.js';
import { setupRun } from './resumeRun.js';

const [path] = process.argv.slice(2);
if (!path) throw new Error('usage: checkpointChild.ts <checkpoint path>');
await dg.init({ backend: 'cpu' });
const run = setupRun(path, 2);
let announced = false;
// A few milliseconds per batch, so that a kill lands in training or in a checkpoint's write.
const pace: dg.train.Callback = {
  onBatchEnd: async () => {
    if (!announced) process.stdout.write('training\n');
    announced = true;
    await new Promise((r) => setTimeout(r, 10));
  },
};
await run.model.fit(run.x, run.y, { ...run.options, callbacks: [...run.callbacks, pace], resumeFrom: existsSync(path) ? path : undefined });
process.stdout.write('done\n');
