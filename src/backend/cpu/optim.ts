// Reference optimizer updates, written straight from PyTorch's documented algorithms
// (torch.optim.SGD, Adam, AdamW, RMSprop); shaders/optim.wgsl must agree with these.
import type { OptimHyper, OptimKind } from '../backend.js';

type Arr = Float64Array;

function need(kind: OptimKind, states: readonly (Arr | null)[], i: number, what: string): Arr {
  const s = states[i];
  if (!s) throw new Error(`optimStep(${kind}): state ${i} (${what}) is required with these settings`);
  return s;
}

function sgd(p: Arr, g: Arr, states: readonly (Arr | null)[], h: OptimHyper): void {
  const buf = h.momentum !== 0 ? need('sgd', states, 0, 'momentum buffer') : null;
  for (let i = 0; i < p.length; i++) {
    let d = g[i]! + h.weightDecay * p[i]!;
    if (buf) {
      buf[i] = h.step === 1 ? d : h.momentum * buf[i]! + (1 - h.dampening) * d;
      d = h.nesterov ? d + h.momentum * buf[i]! : buf[i]!;
    }
    p[i] = p[i]! - h.lr * d;
  }
}

function adam(p: Arr, g: Arr, states: readonly (Arr | null)[], h: OptimHyper): void {
  const m = need('adam', states, 0, 'exp_avg');
  const v = need('adam', states, 1, 'exp_avg_sq');
  const stepSize = h.lr / (1 - h.beta1 ** h.step);
  const bc2Sqrt = Math.sqrt(1 - h.beta2 ** h.step);
  for (let i = 0; i < p.length; i++) {
    let pi = p[i]!;
    let gi = g[i]!;
    if (h.decoupled) pi *= 1 - h.lr * h.weightDecay;
    else gi += h.weightDecay * pi;
    m[i] = h.beta1 * m[i]! + (1 - h.beta1) * gi;
    v[i] = h.beta2 * v[i]! + (1 - h.beta2) * gi * gi;
    p[i] = pi - stepSize * m[i]! / (Math.sqrt(v[i]!) / bc2Sqrt + h.eps);
  }
}

function rmsprop(p: Arr, g: Arr, states: readonly (Arr | null)[], h: OptimHyper): void {
  const sq = need('rmsprop', states, 0, 'square_avg');
  const buf = h.momentum > 0 ? need('rmsprop', states, 1, 'momentum buffer') : null;
  const ga = h.centered ? need('rmsprop', states, 2, 'grad_avg') : null;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]! + h.weightDecay * p[i]!;
    sq[i] = h.alpha * sq[i]! + (1 - h.alpha) * gi * gi;
    let avg: number;
    if (ga) {
      ga[i] = h.alpha * ga[i]! + (1 - h.alpha) * gi;
      avg = Math.sqrt(sq[i]! - ga[i]! * ga[i]!) + h.eps;
    } else {
      avg = Math.sqrt(sq[i]!) + h.eps;
    }
    if (buf) {
      buf[i] = h.momentum * buf[i]! + gi / avg;
      p[i] = p[i]! - h.lr * buf[i]!;
    } else {
      p[i] = p[i]! - h.lr * gi / avg;
    }
  }
}

export function optimStep(kind: OptimKind, p: Arr, g: Arr, states: readonly (Arr | null)[], h: OptimHyper): void {
  if (kind === 'sgd') sgd(p, g, states, h);
  else if (kind === 'adam') adam(p, g, states, h);
  else rmsprop(p, g, states, h);
}
