// Batch and layer normalisation: fused per-group statistics, normalisation (+ affine) and the
// backward, with batch norm's running estimates updated here on the device.
//
// Three layouts in the uniform describe every case (src/backend/webgpu/kernels/norm.ts):
// - the reduction: x viewed as [r_outer, r_groups, r_inner], one result per group over
//   r_outer * r_inner elements (batch norm [N, C, H*W] per channel; layer norm [1, rows,
//   features] per row; layer norm's weight gradient [rows, features, 1] per feature);
// - element i's statistic, (i / s_inner) % s_groups, into `stats` [2, s_groups] (mean, rstd);
// - element i's weight and bias, (i / a_inner) % a_groups.
//
// A group's elements are cut into chunks of `chunk_len`, one workgroup each, so a channel of a
// large batch spreads over many workgroups; a chunk's partial goes to `partial_out` and a
// *_finish entry (one invocation per group) merges them. With one chunk per group (FINAL) the
// reduction writes the finished result itself and no finish pass runs. Statistics merge as
// (count, mean, M2) with Chan's formula, which, unlike sum and sum of squares, does not lose
// the variance to cancellation when the mean is large against the spread.

override WG: u32 = 256u;           // a power of two, for the trees
override FINAL: bool = false;      // one chunk per group: write the result, not a partial
override COUNT: bool = false;      // group_stats: increment num_batches_tracked (once per dispatch)
override RUNNING: bool = false;    // group_stats_finish: update the running mean and variance
override CMA: bool = false;        // momentum null: the cumulative average, factor 1 / count
override HAS_WEIGHT: bool = false;
override HAS_BIAS: bool = false;
// The weight multiplies dy before the group's reduction (layer norm: it varies within a row);
// otherwise it scales dx afterwards (batch norm: it is one number per channel).
override WEIGHT_INSIDE: bool = false;
override BATCH_STATS: bool = true; // grad_input: the statistics were x's own (training)

struct Params {
  n: u32,
  r_outer: u32, r_groups: u32, r_inner: u32,
  s_inner: u32, s_groups: u32,
  a_inner: u32, a_groups: u32,
  chunks: u32, chunk_len: u32,
  eps: f32, momentum: f32,
  inv_count: f32,   // 1 / elements per statistic (grad_input's means)
  _p0: u32, _p1: u32, _p2: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;
@group(0) @binding(3) var<storage, read_write> partial_out: array<vec4f>;
@group(0) @binding(4) var<storage, read> partial_in: array<vec4f>;
@group(0) @binding(5) var<storage, read_write> stats_out: array<f32>;
@group(0) @binding(6) var<storage, read> stats: array<f32>;
@group(0) @binding(7) var<storage, read_write> run_mean: array<f32>;
@group(0) @binding(8) var<storage, read_write> run_var: array<f32>;
@group(0) @binding(9) var<storage, read_write> count: array<i32>;
@group(0) @binding(10) var<storage, read> weight: array<f32>;
@group(0) @binding(11) var<storage, read> bias: array<f32>;
@group(0) @binding(12) var<storage, read_write> out: array<f32>;
// The gradient sums sum(g) and sum(g * xhat) go to two outputs, which for batch norm are dbias
// and dweight as they are (no copy out of a shared buffer), and grad_input reads them back.
@group(0) @binding(13) var<storage, read> sum_g: array<f32>;
@group(0) @binding(14) var<storage, read_write> sum_g_out: array<f32>;
@group(0) @binding(15) var<storage, read> sum_gx: array<f32>;
@group(0) @binding(16) var<storage, read_write> sum_gx_out: array<f32>;

var<workgroup> w0: array<f32, WG>;
var<workgroup> w1: array<f32, WG>;
var<workgroup> w2: array<f32, WG>;

/** Index into x of group g's k-th element. */
fn element(g: u32, k: u32) -> u32 {
  return (k / p.r_inner) * p.r_groups * p.r_inner + g * p.r_inner + k % p.r_inner;
}

fn stat_of(i: u32) -> u32 { return (i / p.s_inner) % p.s_groups; }
fn affine_of(i: u32) -> u32 { return (i / p.a_inner) % p.a_groups; }

fn xhat(i: u32, s: u32) -> f32 { return (x[i] - stats[s]) * stats[p.s_groups + s]; }

/** Chan et al.'s merge of two (count, mean, M2) summaries. */
fn merge(a: vec3f, b: vec3f) -> vec3f {
  let n = a.x + b.x;
  if (b.x == 0.0) { return a; }
  if (a.x == 0.0) { return b; }
  let d = b.y - a.y;
  let fb = b.x / n;
  return vec3f(n, a.y + d * fb, a.z + b.z + d * d * a.x * fb);
}

fn write_stats(g: u32, t: vec3f) {
  stats_out[g] = t.y;
  stats_out[p.r_groups + g] = inverseSqrt(t.z / t.x + p.eps);
}

struct Chunk { g: u32, c: u32, start: u32, end: u32, ok: bool }

fn chunk_of(wid: vec3u, nwg: vec3u) -> Chunk {
  let wgi = wid.y * nwg.x + wid.x;
  let g = wgi / p.chunks;
  let c = wgi % p.chunks;
  let total = p.r_outer * p.r_inner;
  let start = c * p.chunk_len;
  return Chunk(g, c, start, min(total, start + p.chunk_len), g < p.r_groups);
}

/** Tree-reduces the three workgroup arrays with `merge` (stats) or addition (gradient sums). */
fn tree(lid: u32, welford: bool) {
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (lid < s) {
      let a = vec3f(w0[lid], w1[lid], w2[lid]);
      let b = vec3f(w0[lid + s], w1[lid + s], w2[lid + s]);
      var m = a + b;
      if (welford) { m = merge(a, b); }
      w0[lid] = m.x;
      w1[lid] = m.y;
      w2[lid] = m.z;
    }
    workgroupBarrier();
  }
}

// ---- forward -----------------------------------------------------------------------------

@compute @workgroup_size(WG)
fn group_stats(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
         @builtin(local_invocation_index) lid: u32) {
  let ch = chunk_of(wid, nwg);
  if (!ch.ok) { return; } // uniform across the workgroup
  // Welford's update per invocation over its strided share of the chunk.
  var t = vec3f(0.0);
  for (var k = ch.start + lid; k < ch.end; k += WG) {
    let v = x[element(ch.g, k)];
    t.x += 1.0;
    let d = v - t.y;
    t.y += d / t.x;
    t.z += d * (v - t.y);
  }
  w0[lid] = t.x;
  w1[lid] = t.y;
  w2[lid] = t.z;
  tree(lid, true);
  if (lid != 0u) { return; }
  let r = vec3f(w0[0], w1[0], w2[0]);
  if (FINAL) {
    write_stats(ch.g, r);
  } else {
    partial_out[ch.g * p.chunks + ch.c] = vec4f(r, 0.0);
  }
  // Incremented before group_stats_finish reads it (a later dispatch), as PyTorch adds 1 first.
  if (COUNT && ch.g == 0u && ch.c == 0u) { count[0] = count[0] + 1; }
}

@compute @workgroup_size(WG)
fn group_stats_finish(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let g = gid.y * nwg.x * WG + gid.x;
  if (g >= p.r_groups) { return; }
  var t = vec3f(0.0);
  for (var c = 0u; c < p.chunks; c++) { t = merge(t, partial_in[g * p.chunks + c].xyz); }
  write_stats(g, t);
  if (RUNNING) {
    var f = p.momentum;
    if (CMA) { f = 1.0 / f32(count[0]); }
    run_mean[g] = (1.0 - f) * run_mean[g] + f * t.y;
    // The running variance is the unbiased estimate, as PyTorch's.
    run_var[g] = (1.0 - f) * run_var[g] + f * (t.z / (t.x - 1.0));
  }
}

/** Eval mode: stats from the running estimates, read through x (mean) and dy (variance). */
@compute @workgroup_size(WG)
fn running_stats(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let c = gid.y * nwg.x * WG + gid.x;
  if (c >= p.n) { return; }
  stats_out[c] = x[c];
  stats_out[p.n + c] = inverseSqrt(dy[c] + p.eps);
}

@compute @workgroup_size(WG)
fn normalize(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.y * nwg.x * WG + gid.x;
  if (i >= p.n) { return; }
  let a = affine_of(i);
  var y = xhat(i, stat_of(i));
  if (HAS_WEIGHT) { y *= weight[a]; }
  if (HAS_BIAS) { y += bias[a]; }
  out[i] = y;
}

// ---- backward ----------------------------------------------------------------------------

/** Per group: sum(g) and sum(g * xhat), g = dy (times the weight when WEIGHT_INSIDE). */
@compute @workgroup_size(WG)
fn grad_sums(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
             @builtin(local_invocation_index) lid: u32) {
  let ch = chunk_of(wid, nwg);
  if (!ch.ok) { return; }
  var t = vec2f(0.0);
  for (var k = ch.start + lid; k < ch.end; k += WG) {
    let i = element(ch.g, k);
    var gv = dy[i];
    if (WEIGHT_INSIDE) { gv *= weight[affine_of(i)]; }
    t += vec2f(gv, gv * xhat(i, stat_of(i)));
  }
  w0[lid] = t.x;
  w1[lid] = t.y;
  w2[lid] = 0.0;
  tree(lid, false);
  if (lid != 0u) { return; }
  if (FINAL) {
    sum_g_out[ch.g] = w0[0];
    sum_gx_out[ch.g] = w1[0];
  } else {
    partial_out[ch.g * p.chunks + ch.c] = vec4f(w0[0], w1[0], 0.0, 0.0);
  }
}

@compute @workgroup_size(WG)
fn grad_sums_finish(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let g = gid.y * nwg.x * WG + gid.x;
  if (g >= p.r_groups) { return; }
  var t = vec2f(0.0);
  for (var c = 0u; c < p.chunks; c++) { t += partial_in[g * p.chunks + c].xy; }
  sum_g_out[g] = t.x;
  sum_gx_out[g] = t.y;
}

/**
 * dx = rstd * (g - mean(g) - xhat * mean(g * xhat)) with the group sums from grad_sums (over
 * the statistic's groups), or dx = rstd * g with fixed statistics.
 */
@compute @workgroup_size(WG)
fn grad_input(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.y * nwg.x * WG + gid.x;
  if (i >= p.n) { return; }
  let s = stat_of(i);
  let a = affine_of(i);
  var gv = dy[i];
  if (WEIGHT_INSIDE) { gv *= weight[a]; }
  if (BATCH_STATS) { gv -= p.inv_count * (sum_g[s] + xhat(i, s) * sum_gx[s]); }
  var d = stats[p.s_groups + s] * gv;
  if (HAS_WEIGHT && !WEIGHT_INSIDE) { d *= weight[a]; }
  out[i] = d;
}
