// maxPool2d and avgPool2d with PyTorch's semantics (ceil_mode off): stride defaults to the
// kernel size, padding to 0, and padding may be at most half the kernel. Max pooling keeps
// the arg-max of each window for its backward (first index on ties).
import type { Pool2dSpec } from '../../backend/cnnSpecs.js';
import { isGradEnabled, keep } from '../engine.js';
import { type Tensor, withGrad } from '../tensor.js';
import { checkOptions } from './options.js';
import { wrap } from './util.js';
import { batched, outputSize, type Pair, pair } from './window.js';

export interface MaxPool2dOptions {
  kernelSize: Pair;
  stride?: Pair;
  padding?: Pair;
}

export interface AvgPool2dOptions extends MaxPool2dOptions {
  /** Whether zero padding counts toward each window's divisor (PyTorch's default: true). */
  countIncludePad?: boolean;
}

function poolSpec(op: string, x: Tensor, o: AvgPool2dOptions): Pool2dSpec {
  if (o === undefined || o.kernelSize === undefined) throw new Error(`${op}: options.kernelSize is required`);
  checkOptions(op, o, op === 'avgPool2d' ? ['kernelSize', 'stride', 'padding', 'countIncludePad'] : ['kernelSize', 'stride', 'padding']);
  const k = pair(op, 'kernelSize', o.kernelSize, 1);
  const s = pair(op, 'stride', o.stride ?? k, 1);
  const p = pair(op, 'padding', o.padding ?? 0, 0);
  if (p[0] > k[0] / 2 || p[1] > k[1] / 2) {
    throw new Error(`${op}: padding should be at most half of the kernel size, got padding [${p.join(', ')}] and kernelSize [${k.join(', ')}]`);
  }
  const [outH, outW] = outputSize(op, x, k, s, p, [1, 1]);
  return {
    batch: x.shape[0]!, channels: x.shape[1]!, inH: x.shape[2]!, inW: x.shape[3]!, outH, outW,
    kH: k[0], kW: k[1], strideH: s[0], strideW: s[1], padH: p[0], padW: p[1],
    countIncludePad: o.countIncludePad ?? true,
  };
}

const outShape = (input: Tensor, s: Pool2dSpec) => [...input.shape.slice(0, -2), s.outH, s.outW];

export function maxPool2d(input: Tensor, options: MaxPool2dOptions): Tensor {
  const x = batched('maxPool2d', input);
  const spec = poolSpec('maxPool2d', x, options);
  const be = x.backend;
  const [values, argmaxHandle] = be.maxPool2d(x.handle, spec, isGradEnabled() && input.requiresGrad);
  const out = wrap(values, outShape(input, spec), be);
  if (!argmaxHandle) return out;
  // The arg-max outlives any tidy scope around the forward: the backward, which may run
  // outside it, frees it; a graph that is never walked frees it when collected.
  const argmax = keep(wrap(argmaxHandle, out.shape, be));
  const res = withGrad(out, 'maxPool2d', [input], (g) => {
    const dx = wrap(be.maxPool2dBackward(g.handle, argmax.handle, spec), input.shape, be);
    argmax.dispose();
    return [dx];
  });
  if (!res.node) argmax.dispose();
  return res;
}

export function avgPool2d(input: Tensor, options: AvgPool2dOptions): Tensor {
  const x = batched('avgPool2d', input);
  const spec = poolSpec('avgPool2d', x, options);
  const be = x.backend;
  const out = wrap(be.avgPool2d(x.handle, spec), outShape(input, spec), be);
  return withGrad(out, 'avgPool2d', [input], (g) => [wrap(be.avgPool2dBackward(g.handle, spec), input.shape, be)]);
}
