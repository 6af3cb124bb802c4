// Max and average pooling with their backward kernels, as plain loops in float64.
// Windows follow PyTorch (ceil_mode off): window (oh, ow) covers rows oh*strideH - padH + [0, kH)
// clipped to the input; padding never wins a max and, unless countIncludePad, is not counted.
import type { Pool2dSpec } from '../cnnSpecs.js';

interface Window { h0: number; h1: number; w0: number; w1: number; divisor: number }

function window(s: Pool2dSpec, oh: number, ow: number): Window {
  const hs = oh * s.strideH - s.padH;
  const ws = ow * s.strideW - s.padW;
  const h0 = Math.max(hs, 0), h1 = Math.min(hs + s.kH, s.inH);
  const w0 = Math.max(ws, 0), w1 = Math.min(ws + s.kW, s.inW);
  const divisor = s.countIncludePad ? s.kH * s.kW : (h1 - h0) * (w1 - w0);
  return { h0, h1, w0, w1, divisor };
}

/** Calls fn(plane, outIndex, window) for every output element; plane = n * channels + c. */
function forEachWindow(s: Pool2dSpec, fn: (plane: number, o: number, win: Window) => void): void {
  for (let plane = 0; plane < s.batch * s.channels; plane++) {
    for (let oh = 0; oh < s.outH; oh++) {
      for (let ow = 0; ow < s.outW; ow++) fn(plane, (plane * s.outH + oh) * s.outW + ow, window(s, oh, ow));
    }
  }
}

/** Values and, per output, the arg-max as an index into its input plane (ih * inW + iw). */
export function maxPool2d(x: Float64Array, s: Pool2dSpec): { out: Float64Array; argmax: Int32Array } {
  const n = s.batch * s.channels * s.outH * s.outW;
  const out = new Float64Array(n);
  const argmax = new Int32Array(n);
  forEachWindow(s, (plane, o, win) => {
    let best = -Infinity;
    let at = -1;
    for (let ih = win.h0; ih < win.h1; ih++) {
      for (let iw = win.w0; iw < win.w1; iw++) {
        const v = x[(plane * s.inH + ih) * s.inW + iw]!;
        // Strict '>' scanning row-major: the first index wins on ties, as in PyTorch.
        if (v > best || at < 0) { best = v; at = ih * s.inW + iw; }
      }
    }
    out[o] = best;
    argmax[o] = at;
  });
  return { out, argmax };
}

export function maxPool2dBackward(dy: Float64Array, argmax: Int32Array, s: Pool2dSpec): Float64Array {
  const dx = new Float64Array(s.batch * s.channels * s.inH * s.inW);
  forEachWindow(s, (plane, o) => { dx[plane * s.inH * s.inW + argmax[o]!] += dy[o]!; });
  return dx;
}

export function avgPool2d(x: Float64Array, s: Pool2dSpec): Float64Array {
  const out = new Float64Array(s.batch * s.channels * s.outH * s.outW);
  forEachWindow(s, (plane, o, win) => {
    let sum = 0;
    for (let ih = win.h0; ih < win.h1; ih++) {
      for (let iw = win.w0; iw < win.w1; iw++) sum += x[(plane * s.inH + ih) * s.inW + iw]!;
    }
    out[o] = sum / win.divisor;
  });
  return out;
}

export function avgPool2dBackward(dy: Float64Array, s: Pool2dSpec): Float64Array {
  const dx = new Float64Array(s.batch * s.channels * s.inH * s.inW);
  forEachWindow(s, (plane, o, win) => {
    const g = dy[o]! / win.divisor;
    for (let ih = win.h0; ih < win.h1; ih++) {
      for (let iw = win.w0; iw < win.w1; iw++) dx[(plane * s.inH + ih) * s.inW + iw] += g;
    }
  });
  return dx;
}
