// The benchmark's one table: each workload with its FLOP count and an implementation per
// library computing the same thing from the same inputs (NHWC libraries get the translated
// layouts). `check` returns values in dawngrad's layout so every column is compared with the
// float64 cpu reference before it is timed.
import type * as tfc from '@tensorflow/tfjs-core';
import type { Dg, Tensor, Tf, TfTensor } from './api.js';
import {
  HWIO_TO_OIHW, labels, lstmBiasForTf, lstmKernelForTf, NCHW_TO_NHWC, NHWC_TO_NCHW, OIHW_TO_HWIO, oneHot, permute, uniform,
} from './inputs.js';

export interface Instance<T> {
  /** One repetition's work, recorded without waiting; returns the tensor whose read-back ends it. */
  step(): T;
  /** Untimed: the values compared with the reference, flattened in dawngrad's layout. */
  check(): Promise<ArrayLike<number>>;
}

export interface Workload {
  id: string;
  title: string;
  /** Floating-point operations per repetition, where known. */
  flops?: number;
  /** Images per repetition, for throughput rows. */
  images?: number;
  /** The full training step, whose submits and read-backs are also counted. */
  trainingStep?: boolean;
  dawngrad(dg: Dg): Instance<Tensor>;
  /** `unsupported` where TensorFlow.js has no equivalent op (its columns read n/a). */
  tfjs(tf: Tf): Instance<TfTensor> | { unsupported: string };
}

const f32 = async (t: { data(): Promise<ArrayLike<number>> }) => Array.from(await t.data());

/** Gradients accumulate across backward calls; each repetition starts from none. */
function clearGrads(ts: Iterable<Tensor>): void {
  for (const t of ts) {
    t.grad?.dispose();
    t.grad = null;
  }
}

// ---- matmul -----------------------------------------------------------------------------------

function matmul(id: string, title: string, M: number, K: number, N: number): Workload {
  const a = uniform(M * K, 1);
  const b = uniform(K * N, 2);
  return {
    id, title, flops: 2 * M * K * N,
    dawngrad(dg) {
      const [x, y] = [dg.tensor(a, [M, K]), dg.tensor(b, [K, N])];
      return { step: () => dg.matmul(x, y), check: () => f32(dg.matmul(x, y)) };
    },
    tfjs(tf) {
      const [x, y] = [tf.tensor(a, [M, K]), tf.tensor(b, [K, N])];
      return { step: () => tf.matMul(x, y), check: () => f32(tf.matMul(x, y)) };
    },
  };
}

// ---- conv2d -----------------------------------------------------------------------------------

interface ConvShape { n: number; c: number; h: number; w: number; cout: number; k: number; pad: number }

function convFlops(s: ConvShape): number {
  const ho = s.h + 2 * s.pad - s.k + 1;
  const wo = s.w + 2 * s.pad - s.k + 1;
  return 2 * s.n * s.cout * ho * wo * s.c * s.k * s.k;
}

function conv(id: string, title: string, s: ConvShape, backward: boolean): Workload {
  const xShape = [s.n, s.c, s.h, s.w];
  const wShape = [s.cout, s.c, s.k, s.k];
  const x = uniform(s.n * s.c * s.h * s.w, 3);
  const w = uniform(s.cout * s.c * s.k * s.k, 4, 1 / Math.sqrt(s.c * s.k * s.k));
  const bias = uniform(s.cout, 5, 0.1);
  const ho = s.h + 2 * s.pad - s.k + 1;
  const wo = s.w + 2 * s.pad - s.k + 1;
  const dy = uniform(s.n * s.cout * ho * wo, 6);
  const tfPad = s.pad === 0 ? 'valid' : 'same';
  return {
    id, title, flops: convFlops(s) * (backward ? 3 : 1),
    dawngrad(dg) {
      const xt = dg.tensor(x, xShape, { requiresGrad: backward });
      const wt = dg.tensor(w, wShape, { requiresGrad: backward });
      const bt = dg.tensor(bias, [s.cout], { requiresGrad: backward });
      const g = dg.tensor(dy, [s.n, s.cout, ho, wo]);
      const run = (): Tensor => {
        const y = dg.conv2d(xt, wt, bt, { padding: s.pad });
        if (!backward) return y;
        clearGrads([xt, wt, bt]);
        y.backward(g);
        return wt.grad!;
      };
      return { step: run, check: () => f32(run()) };
    },
    tfjs(tf) {
      const xt = tf.tensor(permute(x, xShape, NCHW_TO_NHWC), [s.n, s.h, s.w, s.c]) as tfc.Tensor4D;
      const wt = tf.tensor(permute(w, wShape, OIHW_TO_HWIO), [s.k, s.k, s.c, s.cout]) as tfc.Tensor4D;
      const bt = tf.tensor(bias, [s.cout]);
      const g = tf.tensor(permute(dy, [s.n, s.cout, ho, wo], NCHW_TO_NHWC), [s.n, ho, wo, s.cout]);
      const f = (xx: tfc.Tensor4D, ww: tfc.Tensor4D, bb: tfc.Tensor) => tf.add(tf.conv2d(xx, ww, 1, tfPad), bb);
      const grads = tf.grads((xx, ww, bb) => f(xx as tfc.Tensor4D, ww as tfc.Tensor4D, bb!));
      const run = (): TfTensor => (backward ? grads([xt, wt, bt], g)[1]! : f(xt, wt, bt));
      return {
        step: run,
        check: async () => backward
          ? permute(await run().data(), [s.k, s.k, s.c, s.cout], HWIO_TO_OIHW)
          : permute(await run().data(), [s.n, ho, wo, s.cout], NHWC_TO_NCHW),
      };
    },
  };
}

function maxPool(id: string, title: string, n: number, c: number, h: number): Workload {
  const x = uniform(n * c * h * h, 7);
  const ho = Math.floor(h / 2);
  return {
    id, title, 
    dawngrad(dg) {
      const xt = dg.tensor(x, [n, c, h, h]);
      const run = () => dg.maxPool2d(xt, { kernelSize: 2 });
      return { step: run, check: () => f32(run()) };
    },
    tfjs(tf) {
      const xt = tf.tensor(permute(x, [n, c, h, h], NCHW_TO_NHWC), [n, h, h, c]) as tfc.Tensor4D;
      const run = () => tf.maxPool(xt, 2, 2, 'valid');
      return { step: run, check: async () => permute(await run().data(), [n, ho, ho, c], NHWC_TO_NCHW) };
    },
  };
}

// ---- batch norm --------------------------------------------------------------------------------

/** BatchNorm2d in training (batch statistics, running update) forward and backward, dx read back. */
function batchNorm2d(id: string, title: string, n: number, c: number, h: number): Workload {
  const shape = [n, c, h, h];
  const x = uniform(n * c * h * h, 80, 2);
  const w = uniform(c, 81, 1);
  const b = uniform(c, 82, 1);
  const dy = uniform(n * c * h * h, 83);
  return {
    id, title,
    dawngrad(dg) {
      const xt = dg.tensor(x, shape, { requiresGrad: true });
      const wt = dg.tensor(w, [c], { requiresGrad: true });
      const bt = dg.tensor(b, [c], { requiresGrad: true });
      const [rm, rv] = [dg.tensor(new Float32Array(c), [c]), dg.tensor(new Float32Array(c).fill(1), [c])];
      const g = dg.tensor(dy, shape);
      const run = (): Tensor => {
        clearGrads([xt, wt, bt]);
        dg.batchNorm(xt, rm, rv, wt, bt, { training: true }).backward(g);
        return xt.grad!;
      };
      return { step: run, check: () => f32(run()) };
    },
    tfjs(tf) {
      // tfjs has no training batch norm: its fused tf.batchNorm takes the statistics as inputs,
      // so they come from tf.moments over N, H, W, and the gradient flows through both.
      const xt = tf.tensor(permute(x, shape, NCHW_TO_NHWC), [n, h, h, c]);
      const [wt, bt] = [tf.tensor(w, [c]), tf.tensor(b, [c])];
      const g = tf.tensor(permute(dy, shape, NCHW_TO_NHWC), [n, h, h, c]);
      const f = (xx: TfTensor, ww: TfTensor, bb: TfTensor) => {
        const { mean, variance } = tf.moments(xx, [0, 1, 2]);
        return tf.batchNorm(xx, mean, variance, bb, ww, 1e-5);
      };
      const grads = tf.grads((xx, ww, bb) => f(xx!, ww!, bb!));
      const run = () => grads([xt, wt, bt], g)[0]!;
      return { step: run, check: async () => permute(await run().data(), [n, h, h, c], NHWC_TO_NCHW) };
    },
  };
}

// ---- losses -----------------------------------------------------------------------------------

function crossEntropy(id: string, title: string, n: number, classes: number): Workload {
  const logits = uniform(n * classes, 8, 3);
  const ids = labels(n, classes, 9);
  return {
    id, title, 
    dawngrad(dg) {
      const x = dg.tensor(logits, [n, classes], { requiresGrad: true });
      const y = dg.tensor(ids, [n]);
      const run = (): Tensor => {
        clearGrads([x]);
        dg.crossEntropy(x, y).backward();
        return x.grad!;
      };
      return { step: run, check: () => f32(run()) };
    },
    tfjs(tf) {
      const x = tf.tensor(logits, [n, classes]);
      const y = tf.tensor(oneHot(ids, classes), [n, classes]);
      const grad = tf.grad((l) => tf.losses.softmaxCrossEntropy(y, l));
      const run = () => grad(x);
      return { step: run, check: () => f32(run()) };
    },
  };
}

// ---- the seed MNIST CNN: conv 1->32, pool, conv 32->64, pool, linear 1600->128, linear 128->10 --

interface Param { name: string; shape: number[]; values: Float32Array; tfPerm?: number[] }

function cnnParams(): Param[] {
  const p = (name: string, shape: number[], fanIn: number, seed: number, tfPerm?: number[]): Param =>
    ({ name, shape, values: uniform(shape.reduce((a, b) => a * b, 1), seed, 1 / Math.sqrt(fanIn)), tfPerm });
  return [
    p('conv1.weight', [32, 1, 3, 3], 9, 11, OIHW_TO_HWIO), p('conv1.bias', [32], 9, 12),
    p('conv2.weight', [64, 32, 3, 3], 288, 13, OIHW_TO_HWIO), p('conv2.bias', [64], 288, 14),
    // TensorFlow flattens [N, 5, 5, 64] as (h, w, c) and wants [in, out]: rows are reordered once.
    p('fc1.weight', [128, 1600], 1600, 15), p('fc1.bias', [128], 1600, 16),
    p('fc2.weight', [10, 128], 128, 17, [1, 0]), p('fc2.bias', [10], 128, 18),
  ];
}

/** fc1's [128, 1600 (c, h, w)] weight as TensorFlow's [1600 (h, w, c), 128] kernel, and back. */
function fc1ToTf(v: ArrayLike<number>): Float32Array {
  return permute(permute(v, [128, 64, 5, 5], [0, 2, 3, 1]), [128, 1600], [1, 0]);
}
function fc1FromTf(v: ArrayLike<number>): Float32Array {
  return permute(permute(v, [1600, 128], [1, 0]), [128, 5, 5, 64], [0, 3, 1, 2]);
}

function tfParam(p: Param): { values: Float32Array; shape: number[] } {
  if (p.name === 'fc1.weight') return { values: fc1ToTf(p.values), shape: [1600, 128] };
  if (!p.tfPerm) return { values: p.values, shape: p.shape };
  return { values: permute(p.values, p.shape, p.tfPerm), shape: p.tfPerm.map((d) => p.shape[d]!) };
}

/** The parameters as trainable tfjs variables (names are global in tfjs, hence the prefix). */
function tfVariables(tf: Tf, params: Param[], prefix: string): tfc.Variable[] {
  return params.map((p) => {
    const t = tfParam(p);
    return tf.variable(tf.tensor(t.values, t.shape), true, `${prefix}.${p.name}`);
  });
}

function fromTfParam(p: Param, v: ArrayLike<number>): ArrayLike<number> {
  if (p.name === 'fc1.weight') return fc1FromTf(v);
  if (!p.tfPerm) return v;
  const tfShape = p.tfPerm.map((d) => p.shape[d]!);
  const back = p.tfPerm.map((_, i) => p.tfPerm!.indexOf(i));
  return permute(v, tfShape, back);
}

function dgCnn(dg: Dg, ps: Tensor[], x: Tensor): Tensor {
  const [w1, b1, w2, b2, w3, b3, w4, b4] = ps as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
  let h = dg.maxPool2d(dg.conv2d(x, w1, b1).relu(), { kernelSize: 2 });
  h = dg.maxPool2d(dg.conv2d(h, w2, b2).relu(), { kernelSize: 2 });
  h = h.reshape([x.shape[0]!, 1600]);
  h = h.matmul(w3.transpose(0, 1)).add(b3).relu();
  return h.matmul(w4.transpose(0, 1)).add(b4);
}

function tfCnn(tf: Tf, ps: TfTensor[], x: tfc.Tensor4D): TfTensor {
  const [w1, b1, w2, b2, w3, b3, w4, b4] = ps as [tfc.Tensor4D, TfTensor, tfc.Tensor4D, TfTensor, tfc.Tensor2D, TfTensor, tfc.Tensor2D, TfTensor];
  let h = tf.maxPool(tf.relu(tf.add(tf.conv2d(x, w1, 1, 'valid'), b1)) as tfc.Tensor4D, 2, 2, 'valid');
  h = tf.maxPool(tf.relu(tf.add(tf.conv2d(h, w2, 1, 'valid'), b2)) as tfc.Tensor4D, 2, 2, 'valid');
  const flat = tf.reshape(h, [x.shape[0], 1600]) as tfc.Tensor2D;
  const z = tf.relu(tf.add(tf.matMul(flat, w3), b3)) as tfc.Tensor2D;
  return tf.add(tf.matMul(z, w4), b4);
}

function adam(id: string, title: string): Workload {
  const params = cnnParams();
  const grads = params.map((p, i) => uniform(p.values.length, 40 + i, 0.01));
  return {
    id, title, 
    dawngrad(dg) {
      const ps = params.map((p) => dg.tensor(p.values, p.shape, { requiresGrad: true }));
      ps.forEach((p, i) => { p.grad = dg.tensor(grads[i]!, params[i]!.shape); });
      const opt = new dg.optim.Adam(ps, { lr: 1e-3 });
      const run = () => {
        opt.step();
        return ps[ps.length - 1]!;
      };
      return { step: run, check: async () => { run(); return (await Promise.all(ps.map(f32))).flat(); } };
    },
    tfjs(tf) {
      const vars = tfVariables(tf, params, id);
      const gs = params.map((p, i) => tf.tensor(tfParam({ ...p, values: grads[i]! }).values, vars[i]!.shape));
      const opt = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
      const named = vars.map((v, i) => ({ name: v.name, tensor: gs[i]! }));
      const run = () => {
        opt.applyGradients(named);
        return vars[vars.length - 1]!;
      };
      return {
        step: run,
        check: async () => {
          run();
          return (await Promise.all(vars.map(async (v, i) => Array.from(fromTfParam(params[i]!, await v.data()))))).flat();
        },
      };
    },
  };
}

function trainStep(id: string, title: string, batch: number): Workload {
  const params = cnnParams();
  const images = uniform(batch * 784, 30).map((v) => (v + 1) / 2);
  const ids = labels(batch, 10, 31);
  // Forward FLOPs of the two convolutions and two linear layers; backward costs about twice that.
  const fwd = convFlops({ n: batch, c: 1, h: 28, w: 28, cout: 32, k: 3, pad: 0 })
    + convFlops({ n: batch, c: 32, h: 13, w: 13, cout: 64, k: 3, pad: 0 }) + 2 * batch * (1600 * 128 + 128 * 10);
  return {
    id, title, flops: 3 * fwd, images: batch, trainingStep: true,
    dawngrad(dg) {
      const ps = params.map((p) => dg.tensor(p.values, p.shape, { requiresGrad: true }));
      const x = dg.tensor(images, [batch, 1, 28, 28]);
      const y = dg.tensor(ids, [batch]);
      const opt = new dg.optim.Adam(ps, { lr: 1e-3 });
      const run = () => {
        opt.zeroGrad();
        const loss = dg.crossEntropy(dgCnn(dg, ps, x), y);
        loss.backward();
        opt.step();
        return loss;
      };
      // Two steps' losses: the second depends on the first step's gradients and Adam update.
      return { step: run, check: async () => [...await f32(run()), ...await f32(run())] };
    },
    tfjs(tf) {
      const vars = tfVariables(tf, params, id);
      const x = tf.tensor(images, [batch, 28, 28, 1]) as tfc.Tensor4D;
      const y = tf.tensor(oneHot(ids, 10), [batch, 10]);
      const opt = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
      const run = () => opt.minimize(() => tf.losses.softmaxCrossEntropy(y, tfCnn(tf, vars, x)) as tfc.Scalar, true, vars)!;
      return { step: run, check: async () => [...await f32(run()), ...await f32(run())] };
    },
  };
}

// ---- LSTM -------------------------------------------------------------------------------------

interface LstmWeights { wIh: Float32Array; wHh: Float32Array; bIh: Float32Array; bHh: Float32Array }

function lstmWeights(I: number, H: number, seed: number): LstmWeights {
  const s = 1 / Math.sqrt(H);
  return { wIh: uniform(4 * H * I, seed, s), wHh: uniform(4 * H * H, seed + 1, s), bIh: uniform(4 * H, seed + 2, s), bHh: uniform(4 * H, seed + 3, s) };
}

function lstmCell(id: string, title: string, B: number, I: number, H: number): Workload {
  const w = lstmWeights(I, H, 50);
  const x = uniform(B * I, 54);
  const h0 = uniform(B * H, 55, 0.5);
  const c0 = uniform(B * H, 56, 0.5);
  return {
    id, title, flops: 2 * B * (I + H) * 4 * H,
    dawngrad(dg) {
      const t = (v: Float32Array, shape: number[]) => dg.tensor(v, shape);
      const args = [t(x, [B, I]), t(h0, [B, H]), t(c0, [B, H]), t(w.wIh, [4 * H, I]), t(w.wHh, [4 * H, H]), t(w.bIh, [4 * H]), t(w.bHh, [4 * H])] as const;
      const run = () => dg.lstmCell(...args)[0];
      return { step: run, check: () => f32(run()) };
    },
    tfjs(tf) {
      const kernel = tf.tensor(lstmKernelForTf(w.wIh, w.wHh, I, H), [I + H, 4 * H]) as tfc.Tensor2D;
      const bias = tf.tensor(lstmBiasForTf(w.bIh, w.bHh, H), [4 * H]) as tfc.Tensor1D;
      const [xt, ht, ct] = [tf.tensor(x, [B, I]), tf.tensor(h0, [B, H]), tf.tensor(c0, [B, H])] as tfc.Tensor2D[];
      const run = () => tf.basicLSTMCell(0, kernel, bias, xt!, ct!, ht!)[1];
      return { step: run, check: () => f32(run()) };
    },
  };
}

function lstmSequence(id: string, title: string, B: number, T: number, I: number, H: number, backward: boolean): Workload {
  const w = lstmWeights(I, H, 60);
  const x = uniform(B * T * I, 64);
  const dy = uniform(B * T * H, 65);
  // Per step: the input and recurrent products of all four gates; backward costs about twice that.
  const fwd = 2 * B * T * (I + H) * 4 * H;
  return {
    id, title, flops: backward ? 3 * fwd : fwd,
    dawngrad(dg) {
      const lstm = new dg.nn.LSTM(I, H, { batchFirst: true });
      lstm.loadStateDict({
        weight_ih_l0: dg.tensor(w.wIh, [4 * H, I]), weight_hh_l0: dg.tensor(w.wHh, [4 * H, H]),
        bias_ih_l0: dg.tensor(w.bIh, [4 * H]), bias_hh_l0: dg.tensor(w.bHh, [4 * H]),
      });
      const xt = dg.tensor(x, [B, T, I], { requiresGrad: backward });
      const g = dg.tensor(dy, [B, T, H]);
      const run = (): Tensor => {
        const [out] = lstm.forward(xt);
        if (!backward) return out;
        clearGrads([...lstm.parameters(), xt]);
        out.backward(g);
        return xt.grad!;
      };
      return { step: run, check: () => f32(run()) };
    },
    tfjs(tf) {
      const kernel = tf.tensor(lstmKernelForTf(w.wIh, w.wHh, I, H), [I + H, 4 * H]);
      const bias = tf.tensor(lstmBiasForTf(w.bIh, w.bHh, H), [4 * H]);
      const xt = tf.tensor(x, [B, T, I]);
      const g = tf.tensor(dy, [B, T, H]);
      const zeros = tf.zeros([B, H]) as tfc.Tensor2D;
      const forward = (xx: TfTensor, k: TfTensor, b: TfTensor): TfTensor => {
        let h = zeros;
        let c = zeros;
        const hs: TfTensor[] = [];
        for (const xs of tf.unstack(xx, 1)) {
          [c, h] = tf.basicLSTMCell(0, k as tfc.Tensor2D, b as tfc.Tensor1D, xs as tfc.Tensor2D, c, h) as [tfc.Tensor2D, tfc.Tensor2D];
          hs.push(h);
        }
        return tf.stack(hs, 1);
      };
      const grads = tf.grads((xx, k, b) => forward(xx!, k!, b!));
      const run = () => (backward ? grads([xt, kernel, bias], g)[0]! : forward(xt, kernel, bias));
      return { step: run, check: () => f32(run()) };
    },
  };
}

// ---- GRU --------------------------------------------------------------------------------------

/** The sequential-MNIST LSTM row's shapes as a GRU: 3 gates (r, z, n) instead of 4. */
function gruSequence(id: string, title: string, B: number, T: number, I: number, H: number): Workload {
  const s = 1 / Math.sqrt(H);
  const w = { wIh: uniform(3 * H * I, 70, s), wHh: uniform(3 * H * H, 71, s), bIh: uniform(3 * H, 72, s), bHh: uniform(3 * H, 73, s) };
  const x = uniform(B * T * I, 74);
  const dy = uniform(B * T * H, 75);
  // Forward: the input and recurrent products of three gates per step; backward about twice that.
  const fwd = 2 * B * T * (I + H) * 3 * H;
  return {
    id, title, flops: 3 * fwd,
    dawngrad(dg) {
      const gru = new dg.nn.GRU(I, H, { batchFirst: true });
      gru.loadStateDict({
        weight_ih_l0: dg.tensor(w.wIh, [3 * H, I]), weight_hh_l0: dg.tensor(w.wHh, [3 * H, H]),
        bias_ih_l0: dg.tensor(w.bIh, [3 * H]), bias_hh_l0: dg.tensor(w.bHh, [3 * H]),
      });
      const xt = dg.tensor(x, [B, T, I], { requiresGrad: true });
      const g = dg.tensor(dy, [B, T, H]);
      const run = (): Tensor => {
        const [out] = gru.forward(xt);
        clearGrads([...gru.parameters(), xt]);
        out.backward(g);
        return xt.grad!;
      };
      return { step: run, check: () => f32(run()) };
    },
    tfjs: () => ({ unsupported: 'tfjs-core has no GRU op' }),
  };
}

/** The suite; `quick` shrinks every size so a smoke run (and its test) takes seconds. */
export function workloads(quick: boolean): Workload[] {
  const q = (full: number, small: number) => (quick ? small : full);
  const batch = q(64, 2);
  return [
    ...[256, 512, 1024, 2048].map((n) => matmul(`matmul-${n}`, `matmul ${q(n, n / 32)}²`, q(n, n / 32), q(n, n / 32), q(n, n / 32))),
    matmul('matmul-mlp', `matmul [${q(128, 4)}x784]@[784x${q(128, 4)}]`, q(128, 4), 784, q(128, 4)),
    conv('conv1-fwd', `conv2d ${batch}x1x28x28 -> 32ch 3x3`, { n: batch, c: 1, h: 28, w: 28, cout: 32, k: 3, pad: 0 }, false),
    conv('conv1-fwdbwd', `conv2d ${batch}x1x28x28 -> 32ch 3x3, fwd+bwd`, { n: batch, c: 1, h: 28, w: 28, cout: 32, k: 3, pad: 0 }, true),
    conv('conv2-fwd', `conv2d ${batch}x32x13x13 -> 64ch 3x3`, { n: batch, c: 32, h: 13, w: 13, cout: 64, k: 3, pad: 0 }, false),
    conv('conv2-fwdbwd', `conv2d ${batch}x32x13x13 -> 64ch 3x3, fwd+bwd`, { n: batch, c: 32, h: 13, w: 13, cout: 64, k: 3, pad: 0 }, true),
    conv('resnet-fwd', `conv2d ${q(8, 1)}x64x${q(56, 8)}² -> 64ch 3x3 same`, { n: q(8, 1), c: 64, h: q(56, 8), w: q(56, 8), cout: 64, k: 3, pad: 1 }, false),
    conv('resnet-fwdbwd', `conv2d ${q(8, 1)}x64x${q(56, 8)}² -> 64ch 3x3 same, fwd+bwd`, { n: q(8, 1), c: 64, h: q(56, 8), w: q(56, 8), cout: 64, k: 3, pad: 1 }, true),
    maxPool('maxpool', `maxPool2d 2x2 on ${batch}x32x26x26`, batch, 32, 26),
    batchNorm2d('bn1-fwdbwd', `BatchNorm2d ${batch}x32x${q(26, 5)}x${q(26, 5)} (train), fwd+bwd`, batch, 32, q(26, 5)),
    batchNorm2d('bn2-fwdbwd', `BatchNorm2d ${batch}x64x${q(11, 3)}x${q(11, 3)} (train), fwd+bwd`, batch, 64, q(11, 3)),
    crossEntropy('xent-10', `softmax cross-entropy fwd+bwd ${q(128, 4)}x10`, q(128, 4), 10),
    crossEntropy('xent-1000', `softmax cross-entropy fwd+bwd ${q(128, 4)}x1000`, q(128, 4), 1000),
    adam('adam', 'Adam step over the seed CNN parameters (225k)'),
    lstmCell('lstm-cell', `LSTM cell step ${q(64, 2)}x${q(128, 8)} -> ${q(256, 8)}`, q(64, 2), q(128, 8), q(256, 8)),
    lstmSequence('lstm-seq-fwd', `sequential-MNIST LSTM ${q(64, 2)}x${q(28, 4)}x28 -> 128`, q(64, 2), q(28, 4), 28, 128, false),
    lstmSequence('lstm-seq-fwdbwd', `sequential-MNIST LSTM ${q(64, 2)}x${q(28, 4)}x28 -> 128, fwd+bwd`, q(64, 2), q(28, 4), 28, 128, true),
    gruSequence('gru-seq-fwdbwd', `sequential-MNIST GRU ${q(64, 2)}x${q(28, 4)}x28 -> 128, fwd+bwd`, q(64, 2), q(28, 4), 28, 128),
    trainStep('train-cnn', `MNIST CNN training step, batch ${batch}`, batch),
  ];
}
