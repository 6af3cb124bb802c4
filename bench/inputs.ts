// Deterministic inputs shared by every library's process, and the layout translations between
// dawngrad's NCHW / PyTorch weight layouts and TensorFlow.js's NHWC / HWIO ones. All of this
// runs on the host before timing starts.

/** n values uniform in [-scale, scale) from a xorshift stream: identical in every process. */
export function uniform(n: number, seed: number, scale = 1): Float32Array {
  let s = (seed * 2654435761) >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = (s / 4294967296 * 2 - 1) * scale;
  }
  return out;
}

export function labels(n: number, classes: number, seed: number): Int32Array {
  return Int32Array.from(uniform(n, seed), (v) => Math.min(classes - 1, Math.floor((v + 1) / 2 * classes)));
}

export function oneHot(ids: Int32Array, classes: number): Float32Array {
  const out = new Float32Array(ids.length * classes);
  ids.forEach((c, i) => { out[i * classes + c] = 1; });
  return out;
}

/** Moves axis order `perm` of a row-major array of `shape` (like a transpose/permute). */
export function permute(src: ArrayLike<number>, shape: readonly number[], perm: readonly number[]): Float32Array {
  const outShape = perm.map((p) => shape[p]!);
  const srcStrides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const out = new Float32Array(src.length);
  const idx = new Array<number>(outShape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let s = 0;
    for (let d = 0; d < idx.length; d++) s += idx[d]! * srcStrides[perm[d]!]!;
    out[o] = src[s]!;
    for (let d = idx.length - 1; d >= 0; d--) {
      if (++idx[d]! < outShape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

export const NCHW_TO_NHWC = [0, 2, 3, 1];
export const NHWC_TO_NCHW = [0, 3, 1, 2];
/** PyTorch conv weights [Cout, Cin, kH, kW] to TensorFlow's [kH, kW, Cin, Cout], and back. */
export const OIHW_TO_HWIO = [2, 3, 1, 0];
export const HWIO_TO_OIHW = [3, 2, 0, 1];

/**
 * PyTorch LSTM weights (gates i, f, g, o stacked along rows: wIh [4H, I], wHh [4H, H]) as the
 * kernel of tf.basicLSTMCell: [I + H, 4H] with gate columns in TensorFlow's order i, g, f, o.
 */
export function lstmKernelForTf(wIh: Float32Array, wHh: Float32Array, I: number, H: number): Float32Array {
  const out = new Float32Array((I + H) * 4 * H);
  const tfGate = [0, 2, 1, 3];
  for (let gate = 0; gate < 4; gate++) {
    for (let u = 0; u < H; u++) {
      const row = gate * H + u;
      const col = tfGate[gate]! * H + u;
      for (let k = 0; k < I; k++) out[k * 4 * H + col] = wIh[row * I + k]!;
      for (let k = 0; k < H; k++) out[(I + k) * 4 * H + col] = wHh[row * H + k]!;
    }
  }
  return out;
}

export function lstmBiasForTf(bIh: Float32Array, bHh: Float32Array, H: number): Float32Array {
  const out = new Float32Array(4 * H);
  const tfGate = [0, 2, 1, 3];
  for (let gate = 0; gate < 4; gate++) {
    for (let u = 0; u < H; u++) out[tfGate[gate]! * H + u] = bIh[gate * H + u]! + bHh[gate * H + u]!;
  }
  return out;
}
