// A few hundred training steps of each soak workload (bench/soak) on webgpu: after warm-up,
// nothing grows — live tensors and bytes, pooled bytes, the runtime's constant, staging and
// per-step uniform buffers, bind groups' native memory mappings (the cache itself is bounded,
// see bench/soak/workloads.ts), process RSS.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import { cnnSoak, lstmSoak, type SoakSample } from '../bench/soak/workloads.js';
import { webgpuTest } from './support/webgpu.js';

const STEPS = 240;
const EVERY = 40;
/** Samples before this step are warm-up: the pool fills, pipelines and bind groups are made. */
const WARM_UP = 80;
/**
 * RSS may move by this much after warm-up without being a leak: V8 grows and trims its heap
 * with allocation and collection timing, and the Vulkan driver keeps its own caches. A leak of
 * even a small tensor per step at these shapes shows as many MiB over the run, and the exact
 * counters above catch it first.
 */
const RSS_SLACK = 48 * 1024 * 1024;
/** Memory mappings may move by this many: the bind-group cache (up to 4096 groups, each a
 *  lavapipe mapping until collected) is emptied and collected when full, so the count saws up
 *  and down within that bound; a leak of descriptor sets grows past it within a few hundred steps. */
const MAPPINGS_SLACK = 4096;

const t = suite('soak');

function assertFlat(samples: SoakSample[], what: string): void {
  const after = samples.filter((s) => s.step >= WARM_UP);
  assert.ok(after.length >= 3, `${what}: ${after.length} samples after warm-up`);
  const [base, ...rest] = after;
  for (const s of rest) {
    const at = `${what} at step ${s.step}`;
    assert.is(s.tensors, base!.tensors, `${at}: live tensors`);
    assert.is(s.liveBytes, base!.liveBytes, `${at}: live bytes`);
    assert.ok(s.pooledBytes <= base!.pooledBytes, `${at}: pooled bytes ${s.pooledBytes} > ${base!.pooledBytes}`);
    // Once made a buffer per step here: a read-back staging buffer per pending check record
    // and a uniform per optimizer step, each a native mapping (see runtime.ts).
    assert.is(s.constants, base!.constants, `${at}: constant buffers`);
    assert.is(s.staging, base!.staging, `${at}: staging buffers`);
    assert.is(s.transients, base!.transients, `${at}: transient uniforms`);
    if (s.mappings >= 0) assert.ok(s.mappings - base!.mappings < MAPPINGS_SLACK, `${at}: ${s.mappings - base!.mappings} more memory mappings`);
    assert.ok(s.rssBytes - base!.rssBytes < RSS_SLACK, `${at}: RSS grew by ${((s.rssBytes - base!.rssBytes) / 2 ** 20).toFixed(1)} MiB`);
    assert.ok(Number.isFinite(s.loss), `${at}: loss ${s.loss}`);
  }
}

webgpuTest(t)('the CNN under fit: flat memory after warm-up', async () => {
  await dg.init({ backend: 'webgpu' });
  assertFlat(await cnnSoak({ steps: STEPS, every: EVERY, small: true }), 'cnn');
});

webgpuTest(t)('the LSTM in a tidy loop: flat memory after warm-up', async () => {
  await dg.init({ backend: 'webgpu' });
  assertFlat(await lstmSoak({ steps: STEPS, every: EVERY, small: true }), 'lstm');
});

t.run();
