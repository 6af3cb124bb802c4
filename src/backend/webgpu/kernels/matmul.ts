// Dispatch for the matmul family: shaders/matmul_vec4.wgsl (contiguous operands, K % 4 == 0;
// register-blocked, optionally split along K) and shaders/matmul.wgsl (any strides).
import type { MatmulSpec } from '../../backend.js';
import type { GpuHandle, GpuRuntime } from '../runtime.js';
import { grid2d } from './common.js';

const WG_X = 8;
const WG_Y = 8;
const TM = 4;
const TN = 4;

/** Tile shape of the vec4 kernel: ROWS x 4 outputs per invocation, WG invocations per workgroup. */
export interface MatmulTile {
  rows: 4 | 8;
  wg: number;
}

export const DEFAULT_TILE: MatmulTile = { rows: 4, wg: 64 };
const tiles = new WeakMap<GpuRuntime, MatmulTile>();

/** Sets the tile the autotuner chose for this runtime's adapter. */
export function setMatmulTile(rt: GpuRuntime, tile: MatmulTile): void {
  tiles.set(rt, tile);
}

export function matmulTile(rt: GpuRuntime): MatmulTile {
  return tiles.get(rt) ?? DEFAULT_TILE;
}

/**
 * Below this many workgroups a product is split along K: a GPU (or the CPU cores of a software
 * adapter) idles when a skinny product, such as a weight gradient summed over a whole batch,
 * yields only a handful of output tiles.
 */
const SPLIT_TARGET_GROUPS = 64;
/** Each split gets at least this much of K, so the partial sums' extra traffic stays small. */
const MIN_SPLIT_K = 256;

export function matmul(rt: GpuRuntime, a: GpuHandle, b: GpuHandle, s: MatmulSpec, tile = matmulTile(rt)): GpuHandle {
  if (s.batch > rt.limits.maxComputeWorkgroupsPerDimension) {
    throw new Error(`matmul: ${s.batch} batched products exceed this device's limit of ${rt.limits.maxComputeWorkgroupsPerDimension}`);
  }
  const layout = vec4Layout(s);
  return layout ? matmulVec4(rt, a, b, s, layout, tile) : matmulStrided(rt, a, b, s);
}

/** How each operand is stored when the vec4 kernel can read it, or null when it cannot. */
export function vec4Layout(s: MatmulSpec): { aT: boolean; bT: boolean } | null {
  if (s.K % 4 !== 0 || s.M === 0 || s.N === 0) return null;
  const aN = s.aColStride === 1 && s.aRowStride === s.K;
  const aT = s.aRowStride === 1 && s.aColStride === s.M && s.M % 4 === 0;
  const bN = s.bColStride === 1 && s.bRowStride === s.N && s.N % 4 === 0;
  const bT = s.bRowStride === 1 && s.bColStride === s.K;
  if (!(aN || aT) || !(bN || bT)) return null;
  // The kernel reads whole vec4s, so every matrix must start on a multiple of 4 elements.
  if (s.aOffsets.some((o) => o % 4 !== 0) || s.bOffsets.some((o) => o % 4 !== 0)) return null;
  return { aT: !aN, bT: !bN };
}

function offsetTable(rt: GpuRuntime, s: MatmulSpec): GPUBuffer {
  const offsets = new Uint32Array(2 * s.batch);
  for (let t = 0; t < s.batch; t++) {
    offsets[2 * t] = s.aOffsets[t]!;
    offsets[2 * t + 1] = s.bOffsets[t]!;
  }
  return rt.constant(offsets, 'storage');
}

function matmulVec4(rt: GpuRuntime, a: GpuHandle, b: GpuHandle, s: MatmulSpec, layout: { aT: boolean; bT: boolean }, tile: MatmulTile): GpuHandle {
  const total = s.batch * s.M * s.N;
  const gx = Math.ceil(s.N / (4 * tile.wg));
  const gy = Math.ceil(s.M / tile.rows);
  const groups = gx * gy * s.batch;
  const maxSplits = Math.floor(s.K / MIN_SPLIT_K);
  // Bounded by the z grid limit and by the storage binding limit of the partial sums.
  const splits = Math.max(1, Math.min(
    Math.ceil(SPLIT_TARGET_GROUPS / groups), maxSplits,
    Math.floor(rt.limits.maxComputeWorkgroupsPerDimension / s.batch),
    Math.floor(rt.limits.maxStorageBufferBindingSize / (4 * total)),
  ));
  // A multiple of 4 so each split starts on a whole vec4 of K.
  const kChunk = Math.ceil(s.K / splits / 4) * 4;
  const params = rt.constant(Uint32Array.from([s.M, s.K, s.N, s.batch, kChunk, splits, 0, 0]));
  const kernel = {
    shader: 'matmul_vec4', entry: 'main',
    overrides: { WG: tile.wg, ROWS: tile.rows, A_T: layout.aT ? 1 : 0, B_T: layout.bT ? 1 : 0 },
  };
  const out = rt.alloc(total, 'float32');
  if (splits === 1) {
    rt.dispatch(kernel, [a, b, out, params, offsetTable(rt, s)], [gx, gy, s.batch]);
    return out;
  }
  const partial = rt.alloc(splits * total, 'float32');
  rt.dispatch(kernel, [a, b, partial, params, offsetTable(rt, s)], [gx, gy, splits * s.batch]);
  rt.dispatch({ shader: 'matmul_vec4', entry: 'reduce_splits' },
    { out, p: params, partial }, grid2d(Math.ceil(total / 64)));
  rt.release(partial);
  return out;
}

// Any strides (broadcast batches, odd K, views): each invocation computes a TM x TN block.
function matmulStrided(rt: GpuRuntime, a: GpuHandle, b: GpuHandle, s: MatmulSpec): GpuHandle {
  const out = rt.alloc(s.batch * s.M * s.N, 'float32');
  const params = rt.constant(Uint32Array.from([s.M, s.K, s.N, s.batch, s.aRowStride, s.aColStride, s.bRowStride, s.bColStride]));
  rt.dispatch(
    { shader: 'matmul', entry: 'main', overrides: { WG_X, WG_Y } },
    [a, b, out, params, offsetTable(rt, s)],
    [Math.ceil(s.N / (TN * WG_X)), Math.ceil(s.M / (TM * WG_Y)), s.batch],
  );
  return out;
}
