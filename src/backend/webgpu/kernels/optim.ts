// Dispatch for shaders/optim.wgsl: one fused in-place update per parameter.
import type { OptimHyper, OptimKind } from '../../backend.js';
import { type Binding, type GpuHandle, type GpuRuntime, UNUSED } from '../runtime.js';
import { flagBit } from '../shaderConstants.js';
import { elementwiseGrid, floatBits } from './common.js';

// State slots (bindings 2, 3, ...) an entry point binds, whether or not the settings use them:
// one a flag skips (momentum 0) is UNUSED.
const SLOTS: Record<OptimKind, number> = { sgd: 1, adam: 2, rmsprop: 3 };

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
  // The hyper uniform changes every step (the step count) and is shared by every parameter of
  // a step: a transient uniform, rewritten each step, so no buffer or bind group is made per
  // step. The size uniform repeats across steps: an ordinary cached constant.
  const bindings: Record<string, Binding> = { param, grad, h: rt.transientUniform(hyperWords(h)), size: rt.constant(Uint32Array.from([param.size])) };
  for (let i = 0; i < SLOTS[kind]; i++) bindings[`s${i}`] = states[i] ?? UNUSED;
  rt.dispatch({ shader: 'optim', entry: kind }, bindings, elementwiseGrid(param.size));
}
