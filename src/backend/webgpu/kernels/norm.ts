// Dispatch for shaders/norm.wgsl. Each spec becomes the shader's three layouts (reduction,
// statistic, affine); a reduction over more elements per group than one workgroup's chunk takes
// a second, tiny pass that merges the chunks (and updates the running estimates).
import { normCount, type NormGrads, type NormSpec } from '../../normSpec.js';
import { type Binding, type GpuHandle, type GpuRuntime, UNUSED } from '../runtime.js';
import { floatBits, grid2d } from './common.js';
import { allocOutput } from './outputs.js';

/** Elements each invocation of a reduction takes from its chunk. */
const CHUNK_PER_THREAD = 16;
const EW = 256;

interface Layout {
  /** The reduction: x as [outer, groups, inner], one result per group. */
  outer: number; groups: number; inner: number;
  /** Element i's statistic (i / sInner) % sGroups and affine index (i / aInner) % aGroups. */
  sInner: number; sGroups: number;
  aInner: number; aGroups: number;
}

/** The reduction over each statistic's elements (the stats, and dx's sums). */
function statLayout(s: NormSpec): Layout {
  if (s.kind === 'batch') {
    return { outer: s.batch, groups: s.channels, inner: s.inner, sInner: s.inner, sGroups: s.channels, aInner: s.inner, aGroups: s.channels };
  }
  return { outer: 1, groups: s.rows, inner: s.features, sInner: s.features, sGroups: s.rows, aInner: 1, aGroups: s.features };
}

/** Layer norm's weight and bias gradients: a reduction over rows, per feature. */
function featureLayout(s: NormSpec & { kind: 'layer' }): Layout {
  return { ...statLayout(s), outer: s.rows, groups: s.features, inner: 1 };
}

function params(rt: GpuRuntime, n: number, l: Layout, chunks: number, chunkLen: number, eps: number, momentum: number, invCount: number): GPUBuffer {
  return rt.constant(Uint32Array.from([
    n, l.outer, l.groups, l.inner, l.sInner, l.sGroups, l.aInner, l.aGroups, chunks, chunkLen,
    floatBits(eps), floatBits(momentum), floatBits(invCount), 0, 0, 0,
  ]));
}

/** The bindings of norm.wgsl, by their WGSL names; each dispatch lists only what its entry uses. */
type Slots = Partial<Record<
  'x' | 'dy' | 'p' | 'partial_out' | 'partial_in' | 'stats_out' | 'stats' | 'run_mean' | 'run_var' | 'count' | 'weight' | 'bias' |
  'out' | 'sum_g' | 'sum_g_out' | 'sum_gx' | 'sum_gx_out', Binding>>;

const perGroup = (groups: number): [number, number] => grid2d(Math.max(1, Math.ceil(groups / 64)));
const perElement = (n: number): [number, number] => grid2d(Math.max(1, Math.ceil(n / EW)));

/**
 * A chunked reduction of `entry` (group_stats or grad_sums) over layout l into the output slots
 * in `slots`; the finish entry merges chunks when there are several, or always when
 * `finish.always` (the running update lives there).
 */
function reduction(
  rt: GpuRuntime, entry: 'group_stats' | 'grad_sums', l: Layout, n: number, slots: Slots, overrides: Record<string, number>,
  finish: { always: boolean; slots: Slots; overrides: Record<string, number> }, eps: number, momentum: number,
): void {
  const count = l.outer * l.inner;
  // Small groups (layer norm rows) take 64-wide workgroups so few invocations idle.
  const wg = count <= 64 * CHUNK_PER_THREAD ? 64 : 256;
  const chunkLen = wg * CHUNK_PER_THREAD;
  const chunks = Math.ceil(count / chunkLen);
  const final = chunks === 1 && !finish.always;
  const p = params(rt, n, l, chunks, chunkLen, eps, momentum, 0);
  const partial = final ? null : allocOutput(rt, entry === 'group_stats' ? 'normStats' : 'normBackward', 'partial sums', [l.groups * chunks * 4]);
  rt.dispatch(
    { shader: 'norm', entry, overrides: { WG: wg, FINAL: final ? 1 : 0, ...overrides } },
    { ...slots, p, partial_out: partial ?? UNUSED },
    grid2d(l.groups * chunks),
  );
  if (partial) {
    const outputs: Slots = { stats_out: slots.stats_out, sum_g_out: slots.sum_g_out, sum_gx_out: slots.sum_gx_out };
    rt.dispatch(
      { shader: 'norm', entry: `${entry}_finish`, overrides: { WG: 64, ...finish.overrides } },
      { ...finish.slots, ...outputs, p, partial_in: partial },
      perGroup(l.groups),
    );
    rt.release(partial);
  }
}

/** Per group of l: [sum(g), sum(g * xhat)], g = dy (times the weight when withWeight). */
function gradSums(rt: GpuRuntime, l: Layout, x: GpuHandle, dy: GpuHandle, stats: GpuHandle, weight: Binding, withWeight: boolean): [GpuHandle, GpuHandle] {
  const sums: [GpuHandle, GpuHandle] = [rt.alloc(l.groups, 'float32'), rt.alloc(l.groups, 'float32')];
  reduction(
    rt, 'grad_sums', l, x.size, { x, dy, stats, weight, sum_g_out: sums[0], sum_gx_out: sums[1] }, { WEIGHT_INSIDE: withWeight ? 1 : 0 },
    { always: false, slots: {}, overrides: {} }, 0, 0,
  );
  return sums;
}

export function normStats(rt: GpuRuntime, x: GpuHandle, s: NormSpec, running: { mean: GpuHandle; var: GpuHandle; count: GpuHandle | null; momentum: number | null } | null): GpuHandle {
  const l = statLayout(s);
  const counted = running?.count ? 1 : 0;
  const out = allocOutput(rt, 'normStats', 'statistics', [2, l.groups]);
  reduction(
    rt, 'group_stats', l, x.size, { x, count: running?.count ?? UNUSED, stats_out: out }, { COUNT: counted },
    {
      always: running !== null,
      slots: { run_mean: running?.mean ?? UNUSED, run_var: running?.var ?? UNUSED, count: running?.count ?? UNUSED },
      overrides: { RUNNING: running ? 1 : 0, CMA: running && running.momentum === null ? 1 : 0 },
    },
    s.eps, running?.momentum ?? 0,
  );
  return out;
}

export function runningNormStats(rt: GpuRuntime, mean: GpuHandle, variance: GpuHandle, eps: number): GpuHandle {
  const C = mean.size;
  const out = rt.alloc(2 * C, 'float32');
  const l: Layout = { outer: 1, groups: C, inner: 1, sInner: 1, sGroups: C, aInner: 1, aGroups: C };
  rt.dispatch(
    { shader: 'norm', entry: 'running_stats', overrides: { WG: 64 } },
    { x: mean, dy: variance, p: params(rt, C, l, 1, 1, eps, 0, 0), stats_out: out },
    perGroup(C),
  );
  return out;
}

export function normForward(rt: GpuRuntime, x: GpuHandle, stats: GpuHandle, weight: GpuHandle | null, bias: GpuHandle | null, s: NormSpec): GpuHandle {
  const out = allocOutput(rt, s.kind === 'batch' ? 'batchNorm' : 'layerNorm', 'output', [x.size]);
  rt.dispatch(
    { shader: 'norm', entry: 'normalize', overrides: { WG: EW, HAS_WEIGHT: weight ? 1 : 0, HAS_BIAS: bias ? 1 : 0 } },
    { x, p: params(rt, x.size, statLayout(s), 1, 1, s.eps, 0, 0), stats, weight: weight ?? UNUSED, bias: bias ?? UNUSED, out },
    perElement(x.size),
  );
  return out;
}

export function normBackward(
  rt: GpuRuntime, dy: GpuHandle, x: GpuHandle, stats: GpuHandle, weight: GpuHandle | null, s: NormSpec, batchStats: boolean, affineGrads: boolean,
): NormGrads<GpuHandle> {
  const n = x.size;
  const l = statLayout(s);
  const w = weight ?? UNUSED;
  // Layer norm's weight varies within a row, so it enters the row sums; batch norm's is one
  // number per channel and scales dx afterwards.
  const inside = s.kind === 'layer' && weight !== null;
  const sums = batchStats ? gradSums(rt, l, x, dy, stats, w, inside) : null;
  const dx = allocOutput(rt, s.kind === 'batch' ? 'batchNorm' : 'layerNorm', 'input gradient', [n]);
  rt.dispatch(
    {
      shader: 'norm', entry: 'grad_input',
      overrides: { WG: EW, HAS_WEIGHT: weight ? 1 : 0, WEIGHT_INSIDE: inside ? 1 : 0, BATCH_STATS: batchStats ? 1 : 0 },
    },
    { x, dy, p: params(rt, n, l, 1, 1, 0, 0, 1 / normCount(s)), stats, weight: w, out: dx, sum_g: sums?.[0] ?? UNUSED, sum_gx: sums?.[1] ?? UNUSED },
    perElement(n),
  );
  // Batch norm's sums for dx are sum(dy) and sum(dy * xhat) per channel: dbias and dweight as
  // they are. Layer norm's were taken per row; its affine gradients are sums per feature.
  if (s.kind === 'batch' && sums) {
    if (affineGrads) return { dx, dBias: sums[0], dWeight: sums[1] };
    for (const t of sums) rt.release(t);
    return { dx, dWeight: null, dBias: null };
  }
  if (sums) for (const t of sums) rt.release(t);
  if (!affineGrads) return { dx, dWeight: null, dBias: null };
  const [dBias, dWeight] = gradSums(rt, s.kind === 'batch' ? l : featureLayout(s), x, dy, stats, w, false);
  return { dx, dWeight, dBias };
}
