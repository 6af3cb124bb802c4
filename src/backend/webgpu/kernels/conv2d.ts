// Dispatch for shaders/conv2d.wgsl: forward, input gradient and (split-K) weight gradient.
import type { Conv2dSpec } from '../../cnnSpecs.js';
import { type GpuHandle, type GpuRuntime, UNUSED } from '../runtime.js';
import { grid2d, WG } from './common.js';
import { fill } from './layout.js';
import { allocOutput } from './outputs.js';
import { reduce } from './reduce.js';

// Register-block sizes of shaders/conv2d.wgsl (its TILE, TILE * PX, FROWS, BROWS, WROWS).
const TILE = 4;
const PIXELS = 8;
const FORWARD_ROWS = 16;
const INPUT_ROWS = 16;
const WEIGHT_ROWS = 16;
/** The weight gradient aims for this many invocations, splitting its pixel sum to get there. */
const TARGET_INVOCATIONS = 2048;
/** ...but never gives one invocation fewer pixels than this (the partial sums cost memory). */
const MIN_CHUNK = 64;

const tiles = (n: number, width = TILE) => Math.ceil(n / width);

function params(s: Conv2dSpec, chunk = 0, splits = 1): Uint32Array {
  return Uint32Array.from([
    s.batch, s.inC, s.inH, s.inW, s.outC, s.outH, s.outW, s.groups,
    s.kH, s.kW, s.strideH, s.strideW, s.padH, s.padW, s.dilH, s.dilW,
    chunk, splits, 0, 0,
  ]);
}

export function conv2d(rt: GpuRuntime, x: GpuHandle, w: GpuHandle, bias: GpuHandle | null, s: Conv2dSpec): GpuHandle {
  const out = allocOutput(rt, 'conv2d', 'output', [s.batch, s.outC, s.outH, s.outW]);
  const invocations = tiles(s.batch * s.outH * s.outW, PIXELS) * tiles(s.outC / s.groups, FORWARD_ROWS) * s.groups;
  rt.dispatch(
    { shader: 'conv2d', entry: 'forward', overrides: { WG, HAS_BIAS: bias ? 1 : 0 } },
    [x, w, out, rt.constant(params(s)), bias ?? UNUSED],
    grid2d(Math.ceil(invocations / WG)),
  );
  return out;
}

export function conv2dBackwardInput(rt: GpuRuntime, dy: GpuHandle, w: GpuHandle, s: Conv2dSpec): GpuHandle {
  const dx = allocOutput(rt, 'conv2d backward', 'input gradient', [s.batch, s.inC, s.inH, s.inW]);
  const invocations = tiles(s.batch * s.inH * s.inW, PIXELS) * tiles(s.inC / s.groups, INPUT_ROWS) * s.groups;
  rt.dispatch(
    { shader: 'conv2d', entry: 'backward_input', overrides: { WG, UNIT_STRIDE: s.strideH === 1 && s.strideW === 1 ? 1 : 0 } },
    [dy, w, dx, rt.constant(params(s))],
    grid2d(Math.ceil(invocations / WG)),
  );
  return dx;
}

export function conv2dBackwardWeight(rt: GpuRuntime, dy: GpuHandle, x: GpuHandle, s: Conv2dSpec): GpuHandle {
  const wsize = s.outC * (s.inC / s.groups) * s.kH * s.kW;
  const pixels = s.batch * s.outH * s.outW;
  // An empty batch has nothing to sum (and nothing to split).
  if (pixels === 0) return fill(rt, wsize, 0, 'float32');
  const perSlice = tiles((s.inC / s.groups) * s.kH * s.kW) * tiles(s.outC / s.groups, WEIGHT_ROWS) * s.groups;
  const maxSplits = Math.max(1, Math.floor(pixels / MIN_CHUNK));
  // Partial sums must also fit one binding; fewer slices means longer ones, never a refusal.
  const maxBySize = Math.max(1, Math.floor(rt.limits.maxStorageBufferBindingSize / (4 * wsize)));
  let splits = Math.min(Math.ceil(TARGET_INVOCATIONS / perSlice), maxSplits, maxBySize);
  const chunk = Math.ceil(pixels / splits);
  splits = Math.ceil(pixels / chunk);
  const partial = rt.alloc(splits * wsize, 'float32');
  rt.dispatch(
    { shader: 'conv2d', entry: 'backward_weight', overrides: { WG } },
    [x, dy, partial, rt.constant(params(s, chunk, splits))],
    grid2d(Math.ceil((perSlice * splits) / WG)),
  );
  if (splits === 1) return partial;
  const dw = reduce(rt, 'sum', partial, 1, splits, wsize);
  rt.release(partial);
  return dw;
}
