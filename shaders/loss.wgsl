// Classification losses over scores viewed as [batch, classes, inner] with int32 labels, each
// position p = b * inner + r (class c of p at (b * classes + c) * inner + r) handled by one
// invocation: `forward` (reduction 'none'), `forward_reduced` ('sum', 'mean'), `backward`.
// CE=1: cross-entropy from logits, log-sum-exp shifted by the running maximum so logits of
// +-1e4 stay finite. CE=0: negative log-likelihood of log-probabilities.
// With label smoothing eps the target is (1 - eps) * onehot(label) + eps / classes.
// WEIGHTED=1 reads PyTorch's class weights w: the target of label y is then
// t_c = (1 - eps) w_y [c = y] + (eps / classes) w_c (torch weighs its smoothing term by w_c too),
// the loss A lse - sum_c t_c x_c with A = sum_c t_c, and the gradient A softmax - t.
// (WEIGHTED=0 binds another read-only buffer in `weight`'s place and never reads it.)
// A position whose label is `ignore_index` has loss 0 and gradient 0 (the host divides a mean
// by the number of the others).
// A label outside [0, classes) cannot be reported from here, so the first invocation to see one
// records it in `err` (flag, label, position, classes, CE) for the host to raise at its next read,
// and the label is clamped so that the outputs stay finite instead of becoming NaN.

override WG: u32 = 64u; // a power of two, for forward_reduced's tree
override CE: u32 = 1u;
override WEIGHTED: u32 = 0u;

struct Params {
  positions: u32, classes: u32, inner: u32, g_stride: u32,
  eps: f32, scale: f32,
  chunk: u32,          // forward_reduced: positions per workgroup
  ignore_index: i32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;
@group(0) @binding(4) var<storage, read> g: array<f32>;
@group(0) @binding(5) var<storage, read_write> err: array<atomic<i32>, 5>;
@group(0) @binding(6) var<storage, read> weight: array<f32>;

fn invocation(wid: vec3u, nwg: vec3u, lid: u32) -> u32 { return (wid.y * nwg.x + wid.x) * WG + lid; }

fn base_of(pos: u32) -> u32 { return (pos / p.inner) * p.classes * p.inner + pos % p.inner; }

fn checked_label(pos: u32) -> u32 {
  let y = labels[pos];
  if (y < 0 || y >= i32(p.classes)) {
    loop {
      let r = atomicCompareExchangeWeak(&err[0], 0, 1);
      if (r.exchanged) {
        atomicStore(&err[1], y);
        atomicStore(&err[2], i32(pos));
        atomicStore(&err[3], i32(p.classes));
        atomicStore(&err[4], i32(CE)); // which op to name: the host may have queued both kinds
        break;
      }
      if (r.old_value != 0) { break; } // someone else reported first
    }
    return u32(clamp(y, 0, i32(p.classes) - 1));
  }
  return u32(y);
}

/** log(sum(exp(x_c))) over one position's classes, in one pass with a running maximum. */
fn log_sum_exp(base: u32) -> f32 {
  var m = x[base];
  var s = 1.0;
  for (var c = 1u; c < p.classes; c++) {
    let v = x[base + c * p.inner];
    if (v > m) {
      s = s * exp(m - v) + 1.0;
      m = v;
    } else {
      s += exp(v - m);
    }
  }
  return m + log(s);
}

fn class_weight(c: u32) -> f32 {
  if (WEIGHTED == 1u) { return weight[c]; }
  return 1.0;
}

/** A, the target's total mass: (1 - eps) w_y + (eps / classes) sum_c w_c; 1 without weights. */
fn target_mass(y: u32) -> f32 {
  if (WEIGHTED == 0u) { return 1.0; }
  var total = 0.0;
  if (p.eps != 0.0) {
    for (var c = 0u; c < p.classes; c++) { total += weight[c]; }
  }
  return (1.0 - p.eps) * weight[y] + (p.eps / f32(p.classes)) * total;
}

fn position_loss(pos: u32) -> f32 {
  if (labels[pos] == p.ignore_index) { return 0.0; }
  let base = base_of(pos);
  let y = checked_label(pos);
  var total = 0.0;
  if (p.eps != 0.0) {
    for (var c = 0u; c < p.classes; c++) { total += class_weight(c) * x[base + c * p.inner]; }
  }
  let picked = (1.0 - p.eps) * class_weight(y) * x[base + y * p.inner] + (p.eps / f32(p.classes)) * total;
  var mass_lse = 0.0;
  if (CE == 1u) { mass_lse = target_mass(y) * log_sum_exp(base); }
  return mass_lse - picked;
}

// reduction 'none': one loss per position.
@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(local_invocation_index) lid: u32) {
  let pos = invocation(wid, nwg, lid);
  if (pos >= p.positions) { return; }
  out[pos] = position_loss(pos);
}

var<workgroup> partial: array<f32, WG>;

// reduction 'sum' (the host divides it for a mean): each workgroup sums `chunk` positions
// (strided partial sums, then a tree) and writes its scaled share; with one workgroup that is
// the loss itself, otherwise the dispatcher adds the shares with one more reduction.
@compute @workgroup_size(WG)
fn forward_reduced(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                   @builtin(local_invocation_index) lid: u32) {
  let group = wid.y * nwg.x + wid.x;
  let start = group * p.chunk;
  let stop = min(p.positions, start + p.chunk);
  var s = 0.0;
  for (var pos = start + lid; pos < stop; pos += WG) { s += position_loss(pos); }
  partial[lid] = s;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half = half / 2u) {
    if (lid < half) { partial[lid] += partial[lid + half]; }
    workgroupBarrier();
  }
  if (lid == 0u) { out[group] = partial[0] * p.scale; }
}

// dx = g[pos * g_stride] * scale * (A softmax - target) (CE=1) or * (-target) (CE=0); g_stride 0
// serves a reduced loss, whose one gradient applies to every position.
@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
            @builtin(local_invocation_index) lid: u32) {
  let pos = invocation(wid, nwg, lid);
  if (pos >= p.positions) { return; }
  let base = base_of(pos);
  if (labels[pos] == p.ignore_index) {
    for (var c = 0u; c < p.classes; c++) { out[base + c * p.inner] = 0.0; }
    return;
  }
  let y = checked_label(pos);
  var lse = 0.0;
  if (CE == 1u) { lse = log_sum_exp(base); }
  let gp = g[pos * p.g_stride] * p.scale;
  let off = p.eps / f32(p.classes);
  let own = (1.0 - p.eps) * class_weight(y); // the label's share of the target
  var mass = 0.0;
  if (CE == 1u) { mass = target_mass(y); }
  for (var c = 0u; c < p.classes; c++) {
    let i = base + c * p.inner;
    var prob = 0.0;
    if (CE == 1u) { prob = exp(x[i] - lse); }
    out[i] = gp * (mass * prob - (select(0.0, own, c == y) + off * class_weight(c)));
  }
}
