// Dispatch for shaders/loss.wgsl, and the deferred report of out-of-range labels.
//
// Why deferred: a label's value lives on the GPU, and checking it before the loss would mean
// a read-back (a full queue stall) on every training step. Instead the kernel records the first
// bad label in a small per-runtime error buffer and clamps it, so nothing becomes NaN; the
// backend's `read` (the one place that waits anyway) goes through `readChecked`, which brings
// that buffer back in the same round trip whenever a loss kernel ran since the last read.
import { badLabelMessage, type ClassLossKind, type ClassLossSpec, type Reduction } from '../../cnnSpecs.js';
import type { GpuHandle, GpuRuntime } from '../runtime.js';
import { floatBits, grid2d, WG } from './common.js';
import { reduce } from './reduce.js';

interface LabelState { err: GpuHandle; pending: boolean; kind: ClassLossKind }
const states = new WeakMap<GpuRuntime, LabelState>();

function labelState(rt: GpuRuntime, kind: ClassLossKind): LabelState {
  let s = states.get(rt);
  if (!s) {
    s = { err: rt.upload(new Int32Array(4)), pending: false, kind };
    states.set(rt, s);
  }
  // The op named in a report is that of the first loss since the last check; a later one
  // cannot overwrite an earlier report in the kernel either.
  if (!s.pending) s.kind = kind;
  s.pending = true;
  return s;
}

/** Work (positions x classes) one workgroup takes on in a reduced loss: enough that a
 *  classifier's batch loss (128 x 1000) is one dispatch, few enough to spread a large one. */
const WORK_PER_GROUP = 1 << 18;

function params(s: ClassLossSpec, scale: number, gStride: number, chunk = 0): Uint32Array {
  return Uint32Array.from([
    s.batch * s.inner, s.classes, s.inner, gStride, floatBits(s.labelSmoothing), floatBits(scale), chunk, 0,
  ]);
}

const groups = (s: ClassLossSpec) => grid2d(Math.max(1, Math.ceil((s.batch * s.inner) / WG)));

/** The per-position loss ('none'), or its sum or mean as a one-element buffer. */
export function classLoss(rt: GpuRuntime, x: GpuHandle, labels: GpuHandle, s: ClassLossSpec, reduction: Reduction): GpuHandle {
  const positions = s.batch * s.inner;
  const kernel = (entry: string) => ({ shader: 'loss', entry, overrides: { WG, CE: s.kind === 'crossEntropy' ? 1 : 0 } });
  const err = labelState(rt, s.kind).err;
  if (reduction === 'none') {
    const out = rt.alloc(positions, 'float32');
    rt.dispatch(kernel('forward'), [x, labels, out, rt.constant(params(s, 1, 0)), undefined, err], groups(s));
    return out;
  }
  const scale = reduction === 'mean' ? 1 / positions : 1;
  const parts = Math.min(Math.ceil((positions * s.classes) / WORK_PER_GROUP), Math.ceil(positions / WG));
  const chunk = Math.max(1, Math.ceil(positions / Math.max(parts, 1)));
  const shares = Math.max(1, Math.ceil(positions / chunk));
  const out = rt.alloc(shares, 'float32');
  rt.dispatch(kernel('forward_reduced'), [x, labels, out, rt.constant(params(s, scale, 0, chunk)), undefined, err], grid2d(shares));
  if (shares === 1) return out;
  const total = reduce(rt, 'sum', out, 1, shares, 1);
  rt.release(out);
  return total;
}

export function classLossBackward(
  rt: GpuRuntime, x: GpuHandle, labels: GpuHandle, g: GpuHandle, s: ClassLossSpec, scale: number, gStride: number,
): GpuHandle {
  const dx = rt.alloc(x.size, 'float32');
  const state = labelState(rt, s.kind);
  rt.dispatch(
    { shader: 'loss', entry: 'backward', overrides: { WG, CE: s.kind === 'crossEntropy' ? 1 : 0 } },
    [x, labels, dx, rt.constant(params(s, scale, gStride)), g, state.err],
    groups(s),
  );
  return dx;
}

/** Reads h back; when a loss kernel ran since the last read, its bad-label flag comes back in
 *  the same round trip, and a recorded bad label is thrown (once: the flag is then cleared). */
export async function readChecked(rt: GpuRuntime, h: GpuHandle): Promise<ArrayBuffer> {
  const s = states.get(rt);
  if (!s?.pending) return rt.readBuffer(h);
  s.pending = false;
  const [bytes, errBytes] = await rt.readBuffers([h, s.err]);
  const [flag, label, position, classes] = new Int32Array(errBytes!);
  if (flag === 0) return bytes!;
  rt.device.queue.writeBuffer(s.err.buffer, 0, new Int32Array(4));
  throw new Error(badLabelMessage(s.kind, label!, position!, classes!));
}
