// Dispatch for shaders/optim.wgsl: one fused in-place update per parameter.
import type { OptimHyper, OptimKind } from '../../backend.js';
import type { Binding, GpuHandle, GpuRuntime } from '../runtime.js';
import { flagBit } from '../shaderConstants.js';
import { elementwiseGrid, floatBits } from './common.js';

// State slots an entry point binds, whether or not the settings use them (see `scratch`).
const SLOTS: Record<OptimKind, number> = { sgd: 1, adam: 2, rmsprop: 3 };

// Pipelines use layout 'auto', so every state an entry point mentions must be bound even when a
// flag skips it (momentum 0); one-element buffers stand in, never written. One per slot: WebGPU
// forbids binding a buffer to two writable slots of one dispatch.
const scratch = new WeakMap<GpuRuntime, GpuHandle[]>();

function hyperWords(h: OptimHyper): Uint32Array {
  const flags = (h.nesterov ? flagBit('nesterov') : 0) | (h.decoupled ? flagBit('decoupled') : 0)
    | (h.centered ? flagBit('centered') : 0) | (h.momentum !== 0 ? flagBit('momentum') : 0);
  return Uint32Array.from([
    h.step, flags, 0, 0,
    ...[h.lr, h.weightDecay, h.momentum, h.dampening, h.beta1, h.beta2, h.eps, h.alpha].map(floatBits),
    // Adam's bias corrections in float64 here, because f32 loses most digits of 1 - beta^t.
    floatBits(h.lr / (1 - h.beta1 ** h.step)), floatBits(Math.sqrt(1 - h.beta2 ** h.step)), 0, 0,
  ]);
}

export function optimStep(
  rt: GpuRuntime, kind: OptimKind, param: GpuHandle, grad: GpuHandle, states: readonly (GpuHandle | null)[], h: OptimHyper,
): void {
  let spare = scratch.get(rt);
  if (!spare) scratch.set(rt, (spare = [0, 1, 2].map(() => rt.alloc(1, 'float32'))));
  const slots = Array.from({ length: SLOTS[kind] }, (_, i) => states[i] ?? spare[i]!);
  // The hyper uniform changes every step (the step count) and is shared by every parameter of
  // a step: a transient uniform, rewritten each step, so no buffer or bind group is made per
  // step. The size uniform repeats across steps: an ordinary cached constant.
  const bindings: Binding[] = [param, grad, ...slots, undefined, undefined, undefined].slice(0, 5);
  bindings.push(rt.transientUniform(hyperWords(h)), rt.constant(Uint32Array.from([param.size])));
  rt.dispatch({ shader: 'optim', entry: kind }, bindings, elementwiseGrid(param.size));
}
