// Dispatch for shaders/loss.wgsl, and the deferred report of out-of-range labels.
//
// Why deferred: a label's value lives on the GPU, and checking it before the loss would mean
// a read-back (a full queue stall) on every training step. Instead the kernel records the first
// bad label in a small per-runtime error buffer and clamps it, so nothing becomes NaN; the
// backend's `read` (the one place that waits anyway) calls `checkLabels`, which then reads
// that buffer, only when a loss kernel ran since the last check, and throws the error.
import { badLabelMessage, type ClassLossKind, type ClassLossSpec } from '../../cnnSpecs.js';
import type { GpuHandle, GpuRuntime } from '../runtime.js';
import { floatBits, grid2d, WG } from './common.js';

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

function params(s: ClassLossSpec, scale: number, gStride: number): Uint32Array {
  return Uint32Array.from([
    s.batch * s.inner, s.classes, s.inner, gStride, floatBits(s.labelSmoothing), floatBits(scale), 0, 0,
  ]);
}

const groups = (s: ClassLossSpec) => grid2d(Math.max(1, Math.ceil((s.batch * s.inner) / WG)));

export function classLoss(rt: GpuRuntime, x: GpuHandle, labels: GpuHandle, s: ClassLossSpec): GpuHandle {
  const out = rt.alloc(s.batch * s.inner, 'float32');
  const state = labelState(rt, s.kind);
  rt.dispatch(
    { shader: 'loss', entry: 'forward', overrides: { WG, CE: s.kind === 'crossEntropy' ? 1 : 0 } },
    [x, labels, out, rt.constant(params(s, 1, 0)), undefined, state.err],
    groups(s),
  );
  return out;
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

/** Throws the first out-of-range label recorded since the last check, then clears it. */
export async function checkLabels(rt: GpuRuntime): Promise<void> {
  const s = states.get(rt);
  if (!s?.pending) return;
  s.pending = false;
  const [flag, label, position, classes] = new Int32Array(await rt.readBuffer(s.err));
  if (flag === 0) return;
  rt.device.queue.writeBuffer(s.err.buffer, 0, new Int32Array(4));
  throw new Error(badLabelMessage(s.kind, label!, position!, classes!));
}
