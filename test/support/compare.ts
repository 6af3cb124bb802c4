// Shared test machinery: running one computation on both backends, comparing results, and
// finite-difference gradient checks in float64 on the cpu reference.
import * as assert from 'uvu/assert';
import * as dg from '../../src/index.js';
import { CpuBackend } from '../../src/backend/cpu/index.js';
import type { Tensor } from '../../src/index.js';
import { webgpuAvailable } from './webgpu.js';

/**
 * GPU vs CPU tolerance. float32 carries ~7 significant digits; a GPU kernel sums in float32 in
 * a different order from the float64 reference, which over the <= ~1000-term sums in these
 * tests moves results by up to ~1e-5 relative. 1e-4 leaves margin, and is still orders of
 * magnitude below what a wrong index or a missed element would produce.
 */
export const GPU_TOL = { atol: 1e-4, rtol: 1e-4 };

/**
 * Finite-difference tolerance. Central differences in float64 with step 1e-6 are accurate to
 * ~1e-9; the one approximation in the kernels, erf's (|error| < 1.2e-7), bends gelu's slope by
 * up to ~1e-6, so 1e-5 relative/absolute passes every correct rule and catches any wrong one.
 */
export const GRAD_TOL = { atol: 1e-5, rtol: 1e-5, step: 1e-6 };

/**
 * Whether this process has a WebGPU adapter (decided once, see ./webgpu.ts); where it has, webgpu
 * becomes the default backend, as the tests below it expect. Register webgpu-only tests with
 * `webgpuTest` so a machine without an adapter counts them as skipped.
 */
export async function hasWebGpu(): Promise<boolean> {
  if (!webgpuAvailable) return false;
  await dg.init({ backend: 'webgpu' });
  return true;
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: { atol: number; rtol: number }, what: string): void {
  assert.is(actual.length, expected.length, `${what}: length ${actual.length} vs ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue; // also covers matching infinities
    const ok = Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e);
    if (!ok) assert.unreachable(`${what}: element ${i} is ${a}, expected ${e} (atol ${tol.atol}, rtol ${tol.rtol})`);
  }
}

/** A seeded, reproducible array of values for inputs. */
export function seeded(n: number, seed: number, kind: 'normal' | 'positive' | 'uniform' | 'wide' = 'normal'): Float64Array {
  let s = (seed * 2654435761) >>> 0 || 1;
  const next = () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (kind === 'uniform') out[i] = next() * 2 - 1;
    else if (kind === 'positive') out[i] = 0.2 + next() * 1.8;
    // Both signs, magnitudes log-uniform over [1e-6, 60]: the far tails and the neighbourhood of
    // 0 where stable formulas take their other branch.
    else if (kind === 'wide') out[i] = (next() < 0.5 ? -1 : 1) * 10 ** (-6 + next() * Math.log10(6e7));
    else out[i] = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  }
  return out;
}

export interface InputSpec {
  shape: number[];
  kind?: 'normal' | 'positive' | 'uniform' | 'wide';
  dtype?: 'float32' | 'int32';
  /** For int32 inputs: values in [0, max). */
  max?: number;
  /** Whether gradients flow to this input (float32 inputs default to true). */
  grad?: boolean;
}

export function makeValues(spec: InputSpec, seed: number): Float64Array | Int32Array {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  if (spec.dtype === 'int32') {
    const u = seeded(n, seed, 'uniform');
    return Int32Array.from(u, (v) => Math.floor(((v + 1) / 2) * (spec.max ?? 10)));
  }
  return seeded(n, seed, spec.kind ?? 'normal');
}

/** Runs fn on `backend` with fresh inputs built from the specs; returns outputs and input grads. */
export async function evaluate(
  backend: 'cpu' | 'webgpu', specs: InputSpec[], fn: (...xs: Tensor[]) => Tensor, seed: number, withGrad: boolean,
): Promise<{ out: Float32Array | Int32Array; shape: readonly number[]; grads: (Float32Array | null)[] }> {
  await dg.init({ backend });
  const inputs = specs.map((s, i) => {
    const v = makeValues(s, seed + i);
    const wants = withGrad && s.dtype !== 'int32' && s.grad !== false;
    return dg.tensor(v instanceof Int32Array ? v : Float32Array.from(v), s.shape, { requiresGrad: wants });
  });
  const out = fn(...inputs);
  const result = { out: await out.data(), shape: out.shape, grads: [] as (Float32Array | null)[] };
  if (withGrad && out.requiresGrad) {
    const w = dg.tensor(Float32Array.from(seeded(out.size, seed + 99)), out.shape);
    out.mul(w).sum().backward();
    for (const x of inputs) result.grads.push(x.grad ? ((await x.grad.data()) as Float32Array) : null);
  }
  return result;
}

/** Asserts that fn gives the same output and gradients on webgpu as on the cpu reference. */
export async function checkGpuMatchesCpu(specs: InputSpec[], fn: (...xs: Tensor[]) => Tensor, what: string, withGrad = true, seed = 7): Promise<void> {
  const cpu = await evaluate('cpu', specs, fn, seed, withGrad);
  const gpu = await evaluate('webgpu', specs, fn, seed, withGrad);
  assert.equal([...gpu.shape], [...cpu.shape], `${what}: output shape`);
  assertClose(gpu.out, cpu.out, GPU_TOL, `${what} forward`);
  assert.is(gpu.grads.length, cpu.grads.length, `${what}: gradient count`);
  cpu.grads.forEach((g, i) => {
    if (g === null) assert.is(gpu.grads[i], null, `${what}: input ${i} gradient presence`);
    else assertClose(gpu.grads[i]!, g, GPU_TOL, `${what} gradient of input ${i}`);
  });
}

/**
 * Central-difference gradient check in float64 on the cpu backend (whose float32 tensors
 * are float64 inside). The scalar is sum(fn(...) * w) with fixed random w.
 */
export async function gradCheck(specs: InputSpec[], fn: (...xs: Tensor[]) => Tensor, what: string, seed = 11): Promise<void> {
  await dg.init({ backend: 'cpu' });
  const cpu = (await import('../../src/core/engine.js')).getBackend() as CpuBackend;
  const values = specs.map((s, i) => makeValues(s, seed + i));
  const build = (vals: (Float64Array | Int32Array)[], grad: boolean) =>
    vals.map((v, i) => dg.tensor(v, specs[i]!.shape, { requiresGrad: grad && specs[i]!.dtype !== 'int32' && specs[i]!.grad !== false }));
  let w: Float64Array | null = null;
  const scalar = (xs: Tensor[]): Tensor => {
    const out = fn(...xs);
    w ??= seeded(out.size, seed + 99);
    return out.mul(dg.tensor(w, out.shape)).sum();
  };
  const xs = build(values, true);
  const loss = scalar(xs);
  loss.backward();
  for (let i = 0; i < specs.length; i++) {
    if (!xs[i]!.requiresGrad) continue;
    // No gradient at all means zero (e.g. an input used only through a comparison).
    const g = xs[i]!.grad;
    const analytic = g ? cpu.readExact(g.handle) : new Float64Array(xs[i]!.size);
    const v = values[i] as Float64Array;
    const numeric = new Float64Array(v.length);
    for (let j = 0; j < v.length; j++) {
      const orig = v[j]!;
      const at = (x: number) => {
        v[j] = x;
        const r = cpu.readExact(dg.noGrad(() => scalar(build(values, false))).handle)[0]!;
        v[j] = orig;
        return r;
      };
      numeric[j] = (at(orig + GRAD_TOL.step) - at(orig - GRAD_TOL.step)) / (2 * GRAD_TOL.step);
    }
    assertClose(analytic, numeric, GRAD_TOL, `${what}: d/d(input ${i})`);
  }
}

/** The message of the Error `promise` rejects with ('' when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

/** Asserts fn throws an error whose message contains every fragment. */
export function throwsWith(fn: () => unknown, fragments: string[], what: string): void {
  let message: string | null = null;
  try {
    fn();
  } catch (e) {
    message = (e as Error).message;
  }
  if (message === null) assert.unreachable(`${what}: expected an error, none was thrown`);
  for (const f of fragments) assert.ok(message!.includes(f), `${what}: error "${message}" should mention "${f}"`);
}

/** Asserts the promise rejects with an error whose message contains every fragment. */
export async function rejectsWith(p: Promise<unknown>, fragments: string[], what: string): Promise<void> {
  let message: string | null = null;
  try {
    await p;
  } catch (e) {
    message = (e as Error).message;
  }
  if (message === null) assert.unreachable(`${what}: expected an error, none was thrown`);
  for (const f of fragments) assert.ok(message!.includes(f), `${what}: error "${message}" should mention "${f}"`);
}
