// Softmax and log-softmax over rows of x viewed as [rows, len]: one workgroup per row. Both
// subtract the row maximum first, so logits of +-1e4 neither overflow nor lose the answer.
// LOG=1 gives log-softmax, computed as (x - max) - log(sum) rather than log(softmax), which
// would underflow to -inf for very negative logits.

override WG: u32 = 64u; // a power of two, for the tree
override LOG: u32 = 0u;

struct Params { rows: u32, len: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

var<workgroup> partial: array<f32, WG>;

fn tree_max(lid: u32) -> f32 {
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (lid < s) { partial[lid] = max(partial[lid], partial[lid + s]); }
    workgroupBarrier();
  }
  let r = partial[0];
  workgroupBarrier();
  return r;
}

fn tree_sum(lid: u32) -> f32 {
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (lid < s) { partial[lid] = partial[lid] + partial[lid + s]; }
    workgroupBarrier();
  }
  let r = partial[0];
  workgroupBarrier();
  return r;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let row = wid.y * nwg.x + wid.x;
  if (row >= p.rows) { return; } // uniform across the workgroup
  let base = row * p.len;
  var m = -3.402823e38;
  for (var j = lid; j < p.len; j += WG) { m = max(m, x[base + j]); }
  partial[lid] = m;
  workgroupBarrier();
  m = tree_max(lid);
  var s = 0.0;
  for (var j = lid; j < p.len; j += WG) { s += exp(x[base + j] - m); }
  partial[lid] = s;
  workgroupBarrier();
  s = tree_sum(lid);
  let log_s = log(s);
  for (var j = lid; j < p.len; j += WG) {
    let z = x[base + j] - m;
    if (LOG == 1u) { out[base + j] = z - log_s; } else { out[base + j] = exp(z) / s; }
  }
}
