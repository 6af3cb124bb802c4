// The dynamic batcher on its own, with a run function the test controls: what is joined, in
// what order results come back, and the queue's limits (429 full, 504 timeout, 500 on a throw).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Batcher, type BatchOptions } from '../src/serve/batcher.js';
import { ServeError } from '../src/serve/errors.js';
import type { HostTensor } from '../src/serve/tensors.js';

const t = suite('serve batcher');

/** Rows of `width` values, each row filled with its id, so a mixed-up answer shows. */
const input = (ids: number[], width = 2): HostTensor => ({ data: Float32Array.from(ids.flatMap((id) => Array(width).fill(id))), shape: [ids.length, width] });

/** A model that doubles its input and records each batch's row count; `gate` holds it until released. */
function recorder(options: Partial<BatchOptions> = {}) {
  const batches: number[] = [];
  let release: () => void = () => {};
  let gate: Promise<void> | null = null;
  const batcher = new Batcher(async (x) => {
    batches.push(x.shape[0]!);
    if (gate) await gate;
    if (x.data.includes(-1)) throw new Error('the model saw -1');
    return { data: x.data.map((v) => v * 2), shape: x.shape };
  }, { maxBatchSize: 8, batchTimeoutMs: 5, maxQueue: 100, ...options });
  return {
    batcher,
    batches,
    hold() { gate = new Promise((r) => { release = () => { gate = null; r(); }; }); },
    release: () => release(),
  };
}

const refusal = async (p: Promise<unknown>): Promise<ServeError> => {
  try {
    await p;
  } catch (e) {
    return e as ServeError;
  }
  throw new Error('expected a rejection');
};

t('requests within the window run as one batch and each gets its own rows back', async () => {
  const r = recorder();
  const outs = await Promise.all([[1], [2, 3], [4], [5, 6, 7]].map((ids) => r.batcher.submit(input(ids), 1000)));
  assert.equal(r.batches, [7]);
  assert.equal(outs.map((o) => [...o.data]), [[2, 2], [4, 4, 6, 6], [8, 8], [10, 10, 12, 12, 14, 14]]);
  assert.equal(outs.map((o) => o.shape), [[1, 2], [2, 2], [1, 2], [3, 2]]);
});

t('batches hold at most maxBatchSize rows; the oldest request runs next, later ones fill what room is left; a larger one runs alone', async () => {
  const r = recorder({ maxBatchSize: 4, batchTimeoutMs: 0 });
  r.hold();
  const busy = r.batcher.submit(input([0]), 1000);
  await new Promise((res) => setTimeout(res, 5));
  const outs = Promise.all([[1, 2, 3], [4, 5], [6, 7, 8, 9, 10, 11], [12]].map((ids) => r.batcher.submit(input(ids), 1000)));
  r.release();
  await busy;
  const answers = await outs;
  assert.equal(r.batches, [1, 4, 2, 6]);
  assert.equal(answers.map((o) => [...o.data].filter((_, i) => i % 2 === 0).map((v) => v / 2)), [[1, 2, 3], [4, 5], [6, 7, 8, 9, 10, 11], [12]]);
});

t('requests whose examples differ in shape are not joined', async () => {
  const r = recorder();
  const outs = await Promise.all([r.batcher.submit(input([1], 2), 1000), r.batcher.submit(input([2], 3), 1000), r.batcher.submit(input([3], 2), 1000)]);
  assert.equal(r.batches, [2, 1]);
  assert.equal(outs.map((o) => o.shape), [[1, 2], [1, 3], [1, 2]]);
});

t('while a batch runs, arrivals queue for the next one', async () => {
  const r = recorder({ batchTimeoutMs: 0 });
  r.hold();
  const first = r.batcher.submit(input([1]), 1000);
  await new Promise((res) => setTimeout(res, 10));
  const rest = [2, 3, 4].map((id) => r.batcher.submit(input([id]), 1000));
  assert.equal(r.batcher.depth, 3);
  r.release();
  await Promise.all([first, ...rest]);
  assert.equal(r.batches, [1, 3]);
});

t('a full queue refuses with 429 and accepts again once it drains', async () => {
  const r = recorder({ maxQueue: 2, batchTimeoutMs: 50 });
  const queued = [r.batcher.submit(input([1]), 1000), r.batcher.submit(input([2]), 1000)];
  const e = await refusal(r.batcher.submit(input([3]), 1000));
  assert.equal(e.status, 429);
  assert.match(e.message, /queue is full \(2 requests waiting\)/);
  await Promise.all(queued);
  assert.equal([...(await r.batcher.submit(input([4]), 1000)).data], [8, 8]);
});

t('a request still queued at its timeout is answered 504 and leaves the queue', async () => {
  const r = recorder({ batchTimeoutMs: 0 });
  r.hold();
  const running = r.batcher.submit(input([1]), 1000);
  await new Promise((res) => setTimeout(res, 5));
  const e = await refusal(r.batcher.submit(input([2]), 20));
  assert.equal(e.status, 504);
  assert.equal(r.batcher.depth, 0);
  r.release();
  await running;
  assert.equal(r.batches, [1]);
});

t('a throwing model rejects every request of its batch with 500; the next batch runs', async () => {
  const r = recorder();
  const failed = await Promise.all([r.batcher.submit(input([1]), 1000), r.batcher.submit(input([-1]), 1000)].map(refusal));
  assert.equal(failed.map((e) => e.status), [500, 500]);
  assert.match(failed[0]!.message, /the model saw -1/);
  assert.equal([...(await r.batcher.submit(input([5]), 1000)).data], [10, 10]);
});

t('drain runs the queue without waiting out the window', async () => {
  const r = recorder({ batchTimeoutMs: 60_000 });
  const pending = [r.batcher.submit(input([1]), 120_000), r.batcher.submit(input([2]), 120_000)];
  const started = performance.now();
  await r.batcher.drain();
  assert.ok(performance.now() - started < 5000);
  assert.equal((await Promise.all(pending)).map((o) => o.data[0]), [2, 4]);
});

t.run();
