// conv2d and its two backward kernels as plain loops in float64: the definition the WGSL
// kernels are checked against. All three walk the same (n, co, oh, ow, ci, kh, kw) nest and
// differ only in which operand they accumulate into, so each is evidently the adjoint of the
// forward.
import type { Conv2dSpec } from '../cnnSpecs.js';

/** Calls fn(outIndex, xIndex, wIndex) for every product term of the convolution. */
function forEachTerm(s: Conv2dSpec, fn: (o: number, xi: number, wi: number) => void): void {
  const cg = s.inC / s.groups;
  const kg = s.outC / s.groups;
  for (let n = 0; n < s.batch; n++) {
    for (let co = 0; co < s.outC; co++) {
      const g = Math.floor(co / kg);
      for (let oh = 0; oh < s.outH; oh++) {
        for (let ow = 0; ow < s.outW; ow++) {
          const o = ((n * s.outC + co) * s.outH + oh) * s.outW + ow;
          for (let c = 0; c < cg; c++) {
            const ci = g * cg + c;
            for (let kh = 0; kh < s.kH; kh++) {
              const ih = oh * s.strideH - s.padH + kh * s.dilH;
              if (ih < 0 || ih >= s.inH) continue;
              for (let kw = 0; kw < s.kW; kw++) {
                const iw = ow * s.strideW - s.padW + kw * s.dilW;
                if (iw < 0 || iw >= s.inW) continue;
                fn(o, ((n * s.inC + ci) * s.inH + ih) * s.inW + iw, ((co * cg + c) * s.kH + kh) * s.kW + kw);
              }
            }
          }
        }
      }
    }
  }
}

export function conv2d(x: Float64Array, w: Float64Array, bias: Float64Array | null, s: Conv2dSpec): Float64Array {
  const out = new Float64Array(s.batch * s.outC * s.outH * s.outW);
  if (bias) {
    const plane = s.outH * s.outW;
    for (let i = 0; i < out.length; i++) out[i] = bias[Math.floor(i / plane) % s.outC]!;
  }
  forEachTerm(s, (o, xi, wi) => { out[o] += x[xi]! * w[wi]!; });
  return out;
}

export function conv2dBackwardInput(dy: Float64Array, w: Float64Array, s: Conv2dSpec): Float64Array {
  const dx = new Float64Array(s.batch * s.inC * s.inH * s.inW);
  forEachTerm(s, (o, xi, wi) => { dx[xi] += dy[o]! * w[wi]!; });
  return dx;
}

export function conv2dBackwardWeight(dy: Float64Array, x: Float64Array, s: Conv2dSpec): Float64Array {
  const dw = new Float64Array(s.outC * (s.inC / s.groups) * s.kH * s.kW);
  forEachTerm(s, (o, xi, wi) => { dw[wi] += dy[o]! * x[xi]!; });
  return dw;
}
