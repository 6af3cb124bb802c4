// The op table's core rows in a real page: the browser bundle on Chromium's WebGPU adapter
// (SwiftShader here) must give the outputs and gradients of Node's cpu reference, within the
// same GPU_TOL as the Node webgpu backend (float32 kernels against a float64-accumulating
// reference). The rows' functions travel to the page as source text, so only rows whose
// function uses nothing but its arguments and `dg` can go (the table's mapped unary rows
// close over their op's name).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type * as Dg from '../src/index.js';
import { browserTest, bundlePageHooks } from './support/browser.js';
import { assertClose, evaluate, GPU_TOL, makeValues, seeded } from './support/compare.js';
import { OP_CASES } from './support/opCases.js';

const CORE = [
  'gelu', 'leakyRelu', 'clamp', 'clamp max only', 'log1p', 'softplus beta 2 threshold 1', 'elu alpha 0.5',
  'crossEntropy mean, weight, over [N, C, d1, d2] of 1000 positions x 10 classes, many workgroups', 'add broadcast', 'mul broadcast', 'div broadcast', 'pow', 'where', 'compare',
  'sum axis 1', 'sum last, long rows', 'max axis', 'argmax', 'softmax', 'logSoftmax',
  'transpose', 'permute', 'narrow', 'cat',
  'matmul 257x129x65', 'matmul batched broadcast', 'matmul vec4 37x132x68', 'matmul split-K 5x1028x12',
];
const SEED = 7;

interface PageInput { shape: number[]; dtype: 'float32' | 'int32'; values: number[]; grad: boolean }
interface PageResult { out: number[]; shape: number[]; grads: (number[] | null)[] }

const t = suite('browser: op table in the page matches Node cpu');
const { page } = bundlePageHooks(t, "{ backend: 'webgpu' }");

browserTest(t)('every core row names a row of the table', () => {
  const names = new Set(OP_CASES.map((c) => c.name));
  assert.equal(CORE.filter((n) => !names.has(n)), []);
});

for (const c of OP_CASES.filter((x) => CORE.includes(x.name))) {
  browserTest(t)(c.name, async () => {
    const withGrad = c.differentiable !== false;
    const cpu = await evaluate('cpu', c.inputs, c.fn, SEED, withGrad);
    const inputs: PageInput[] = c.inputs.map((s, i) => ({
      shape: s.shape, dtype: s.dtype ?? 'float32', values: Array.from(makeValues(s, SEED + i)),
      grad: withGrad && s.dtype !== 'int32' && s.grad !== false,
    }));
    // The same output weights as evaluate() uses for the cpu gradients.
    const weights = withGrad ? Array.from(seeded(cpu.out.length, SEED + 99)) : [];
    const got = await page().page.evaluate(async (source: string, ins: PageInput[], w: number[]): Promise<PageResult> => {
      const dg = (globalThis as unknown as { dg: typeof Dg }).dg;
      const fn = new Function('dg', `return (${source});`)(dg) as (...xs: Dg.Tensor[]) => Dg.Tensor;
      const xs = ins.map((i) => dg.tensor(i.dtype === 'int32' ? Int32Array.from(i.values) : Float32Array.from(i.values), i.shape, { dtype: i.dtype, requiresGrad: i.grad }));
      const out = fn(...xs);
      const result: PageResult = { out: Array.from(await out.data()), shape: [...out.shape], grads: [] };
      if (w.length && out.requiresGrad) {
        out.mul(dg.tensor(Float32Array.from(w), out.shape)).sum().backward();
        for (const x of xs) result.grads.push(x.grad ? Array.from(await x.grad.data()) : null);
      }
      return result;
    }, c.fn.toString(), inputs, weights);
    assert.equal(got.shape, [...cpu.shape], `${c.name}: output shape`);
    assertClose(got.out, cpu.out, GPU_TOL, `${c.name} forward in the page`);
    assert.is(got.grads.length, cpu.grads.length, `${c.name}: gradient count`);
    cpu.grads.forEach((g, i) => {
      if (g === null) assert.is(got.grads[i], null, `${c.name}: input ${i} gradient presence`);
      else assertClose(got.grads[i]!, g, GPU_TOL, `${c.name} gradient of input ${i} in the page`);
    });
  });
}

t.run();
