// Dispatch for shaders/loss.wgsl, and the deferred report of out-of-range labels.
//
// Why deferred: a label's value lives on the GPU, and checking it before the loss would mean
// a read-back (a full queue stall) on every training step. Instead the kernel records the first
// bad label in a small per-runtime error record and clamps it, so nothing becomes NaN; the
// record is a runtime deferred check, which the next read brings back in the same round trip.
import { badLabelMessage, type ClassLossSpec } from '../../lossSpec.js';
import { type DeferredCheck, type GpuHandle, type GpuRuntime, UNUSED } from '../runtime.js';
import { floatBits, grid2d, WG } from './common.js';
import { reduce } from './reduce.js';

/** The record shaders/loss.wgsl writes: [flag, label, position, classes, CE of the loss]. */
const badLabel: DeferredCheck = {
  clean: new Int32Array(5),
  decode: ([flag, label, position, classes, ce]) =>
    flag === 0 ? null : new Error(badLabelMessage(ce === 1 ? 'crossEntropy' : 'nll', label!, position!, classes!)),
};

/** Work (positions x classes) one workgroup takes on in a reduced loss: enough that a
 *  classifier's batch loss (128 x 1000) is one dispatch, few enough to spread a large one. */
const WORK_PER_GROUP = 1 << 18;

function params(s: ClassLossSpec, scale: number, gStride: number, chunk = 0): Uint32Array {
  return Uint32Array.from([
    s.batch * s.inner, s.classes, s.inner, gStride, floatBits(s.labelSmoothing), floatBits(scale), chunk, s.ignoreIndex >>> 0,
  ]);
}

const groups = (s: ClassLossSpec) => grid2d(Math.max(1, Math.ceil((s.batch * s.inner) / WG)));

const kernel = (entry: string, s: ClassLossSpec, weight: GpuHandle | null) => ({
  shader: 'loss', entry, overrides: { WG, CE: s.kind === 'crossEntropy' ? 1 : 0, WEIGHTED: weight ? 1 : 0 },
});

/** The per-position loss ('none'), or its sum as a one-element buffer. */
export function classLoss(rt: GpuRuntime, x: GpuHandle, labels: GpuHandle, weight: GpuHandle | null, s: ClassLossSpec, reduction: 'sum' | 'none'): GpuHandle {
  const positions = s.batch * s.inner;
  const err = rt.checkRecord(badLabel);
  if (reduction === 'none') {
    const out = rt.alloc(positions, 'float32');
    rt.dispatch(kernel('forward', s, weight), { x, labels, out, p: rt.constant(params(s, 1, 0)), err, weight: weight ?? UNUSED }, groups(s));
    return out;
  }
  const parts = Math.min(Math.ceil((positions * s.classes) / WORK_PER_GROUP), Math.ceil(positions / WG));
  const chunk = Math.max(1, Math.ceil(positions / Math.max(parts, 1)));
  const shares = Math.max(1, Math.ceil(positions / chunk));
  const out = rt.alloc(shares, 'float32');
  rt.dispatch(kernel('forward_reduced', s, weight), { x, labels, out, p: rt.constant(params(s, 1, 0, chunk)), err, weight: weight ?? UNUSED }, grid2d(shares));
  if (shares === 1) return out;
  const total = reduce(rt, 'sum', out, 1, shares, 1);
  rt.release(out);
  return total;
}

export function classLossBackward(
  rt: GpuRuntime, x: GpuHandle, labels: GpuHandle, weight: GpuHandle | null, g: GpuHandle, s: ClassLossSpec, scale: number, gStride: number,
): GpuHandle {
  const dx = rt.alloc(x.size, 'float32');
  rt.dispatch(
    kernel('backward', s, weight),
    { x, labels, out: dx, p: rt.constant(params(s, scale, gStride)), g, err: rt.checkRecord(badLabel), weight: weight ?? UNUSED },
    groups(s),
  );
  return dx;
}
