// Max and average pooling (windowed and adaptive) with their backward kernels, as plain loops
// in float64. The windows are those of Pool2dSpec (PyTorch's): taps outside the input are
// skipped, so padding never wins a max and counts toward an average only as the spec says.
import type { Pool2dSpec } from '../cnnSpecs.js';

/** One axis of a window: the input indices of its taps, and its extent for the divisor. */
interface Taps { at: number[]; extent: number }

/** Taps of window o along one axis; extent is the window clipped to the padded input. */
function taps(o: number, size: number, out: number, k: number, stride: number, pad: number, dil: number, adaptive: boolean): Taps {
  if (adaptive) {
    const lo = Math.floor((o * size) / out);
    const hi = Math.ceil(((o + 1) * size) / out);
    const at = Array.from({ length: hi - lo }, (_, j) => lo + j);
    return { at, extent: at.length };
  }
  const start = o * stride - pad;
  const at: number[] = [];
  for (let j = 0; j < k; j++) {
    const i = start + j * dil;
    if (i >= 0 && i < size) at.push(i);
  }
  return { at, extent: Math.min(start + k, size + pad) - start };
}

interface Window { rows: number[]; cols: number[]; divisor: number }

function window(s: Pool2dSpec, oh: number, ow: number): Window {
  const h = taps(oh, s.inH, s.outH, s.kH, s.strideH, s.padH, s.dilH, s.adaptive);
  const w = taps(ow, s.inW, s.outW, s.kW, s.strideW, s.padW, s.dilW, s.adaptive);
  const divisor = s.divisorOverride || (s.countIncludePad && !s.adaptive ? h.extent * w.extent : h.at.length * w.at.length);
  return { rows: h.at, cols: w.at, divisor };
}

/** Calls fn(plane, outIndex, window) for every output element; plane = n * channels + c. */
function forEachWindow(s: Pool2dSpec, fn: (plane: number, o: number, win: Window) => void): void {
  for (let plane = 0; plane < s.batch * s.channels; plane++) {
    for (let oh = 0; oh < s.outH; oh++) {
      for (let ow = 0; ow < s.outW; ow++) fn(plane, (plane * s.outH + oh) * s.outW + ow, window(s, oh, ow));
    }
  }
}

/** Values and, per output, the arg-max as an index into its input plane (ih * inW + iw); a
 *  window with no tap in the input (possible with dilation) gives -Infinity and arg-max -1. */
export function maxPool2d(x: Float64Array, s: Pool2dSpec): { out: Float64Array; argmax: Int32Array } {
  const n = s.batch * s.channels * s.outH * s.outW;
  const out = new Float64Array(n);
  const argmax = new Int32Array(n);
  forEachWindow(s, (plane, o, win) => {
    let best = -Infinity;
    let at = -1;
    for (const ih of win.rows) {
      for (const iw of win.cols) {
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
  forEachWindow(s, (plane, o) => {
    if (argmax[o]! >= 0) dx[plane * s.inH * s.inW + argmax[o]!] += dy[o]!;
  });
  return dx;
}

export function avgPool2d(x: Float64Array, s: Pool2dSpec): Float64Array {
  const out = new Float64Array(s.batch * s.channels * s.outH * s.outW);
  forEachWindow(s, (plane, o, win) => {
    let sum = 0;
    for (const ih of win.rows) {
      for (const iw of win.cols) sum += x[(plane * s.inH + ih) * s.inW + iw]!;
    }
    out[o] = sum / win.divisor;
  });
  return out;
}

export function avgPool2dBackward(dy: Float64Array, s: Pool2dSpec): Float64Array {
  const dx = new Float64Array(s.batch * s.channels * s.inH * s.inW);
  forEachWindow(s, (plane, o, win) => {
    const g = dy[o]! / win.divisor;
    for (const ih of win.rows) {
      for (const iw of win.cols) dx[(plane * s.inH + ih) * s.inW + iw] += g;
    }
  });
  return dx;
}
