// dg.debug({ checkNumerics: true }): every op's output checked for NaN/Inf, the first bad op named;
// off by default and then free (no extra dispatches).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import { getBackend } from '../src/core/engine.js';
import type { WebGpuBackend } from '../src/backend/webgpu/index.js';
import { rejection, throwsWith } from './support/compare.js';
import { webgpuTest } from './support/webgpu.js';

const t = suite('checkNumerics');
t.after.each(() => {
  dg.debug({ checkNumerics: false });
});


t('off by default; debug() validates its options and returns the settings', () => {
  assert.equal(dg.debug(), { checkNumerics: false });
  assert.equal(dg.debug({ checkNumerics: true }), { checkNumerics: true });
  throwsWith(() => dg.debug({ checkNumerics: 'yes' as unknown as boolean }), ['debug', 'checkNumerics', 'true or false', 'yes'], 'non-boolean');
});

t('cpu: the op that makes a NaN or Inf throws at the call, named with its output shape', async () => {
  await dg.init({ backend: 'cpu' });
  const x = dg.tensor([[1, -1, 4]]);
  const before = dg.memory().tensors;
  dg.debug({ checkNumerics: true });
  throwsWith(() => x.abs().neg().sqrt().add(1), ['checkNumerics: sqrt (output shape [1, 3]) produced NaN or Inf'], 'method call');
  assert.is(dg.memory().tensors, before + 2, 'only the good intermediates (abs, neg) stay; the bad output was freed');
  throwsWith(() => dg.div(x, 0), ['checkNumerics: div (output shape [1, 3])'], 'function call');
  const w = dg.tensor([0, 4], { requiresGrad: true });
  const loss = w.sqrt().sum();
  throwsWith(() => loss.backward(), ['checkNumerics', 'the backward of sqrt', 'output shape [2]'], 'a gradient');
  dg.debug({ checkNumerics: false });
  assert.ok(Number.isNaN((await x.log().data())[1]!), 'off: NaN flows through');
});

webgpuTest(t)('webgpu: off costs no dispatch; on, one check per op and no extra submit or read-back', async () => {
  await dg.init({ backend: 'webgpu' });
  const stats = (getBackend() as WebGpuBackend).rt.stats;
  const x = dg.randn([300]);
  await x.data();
  const run = async () => {
    const before = { ...stats };
    const y = dg.tidy(() => x.mul(2).add(1).relu().exp().sum());
    const dispatches = stats.dispatches - before.dispatches;
    const submits = stats.submits - before.submits;
    await y.data();
    return { dispatches, submits, readbacks: stats.readbacks - before.readbacks };
  };
  const off = await run();
  dg.debug({ checkNumerics: true });
  const on = await run();
  assert.is(on.dispatches, 2 * off.dispatches, `checkNumerics on: ${on.dispatches} dispatches vs ${off.dispatches} off`);
  assert.is(on.submits, 0, 'nothing submitted before the read');
  assert.is(on.readbacks, 1, 'the flag rides on the read');
  dg.debug({ checkNumerics: false });
  assert.equal(await run(), off, 'off again: the same work as before');
});

webgpuTest(t)('webgpu: the next read-back throws naming the first bad op, even if later ops are bad too', async () => {
  await dg.init({ backend: 'webgpu' });
  const x = dg.tensor([[1, -1, 4]]);
  const big = dg.full([2, 2], 1e30);
  await x.data();
  dg.debug({ checkNumerics: true });
  const fine = x.abs().add(1);
  const bad = big.matmul(big).mul(1e30).log();
  const worse = x.log().add(bad.sum());
  const message = await rejection(fine.data());
  assert.ok(message.startsWith('checkNumerics: matmul (output shape [2, 2]) produced NaN or Inf'), message);
  assert.is((await fine.data()).length, 3, 'reported once: the next read is clean');
  assert.ok(worse.shape.length === 2);
});

webgpuTest(t)('webgpu: the check kernel agrees with the cpu reference on awkward sizes and places', async () => {
  // Sizes: one element, primes, one past a workgroup's reach (64 x 4), and many workgroups.
  const sizes = [1, 7, 257, 1031, 70001];
  for (const n of sizes) {
    for (const place of ['none', 'first', 'middle', 'last'] as const) {
      for (const bad of [Number.NaN, Infinity, -Infinity]) {
        const values = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 1e30);
        if (place !== 'none') values[place === 'first' ? 0 : place === 'last' ? n - 1 : n >> 1] = bad;
        const results: string[] = [];
        for (const backend of ['cpu', 'webgpu'] as const) {
          await dg.init({ backend });
          const x = dg.tensor(values, [n]);
          dg.debug({ checkNumerics: true });
          results.push(await rejection((async () => x.neg().data())()));
          dg.debug({ checkNumerics: false });
        }
        const what = `n ${n}, ${bad} at ${place}`;
        assert.is(results[1], results[0], what);
        assert.is(results[0] === '', place === 'none', what);
      }
    }
  }
});

t.run();
