// Reductions of x viewed as [outer, len, inner] over len. OP is one of REDUCE_OPS in
// src/backend/backend.ts (sum, max, min, argmax, argmin), named by the OP_* constants the
// shader loader writes on the `//#op-codes` line (src/backend/webgpu/shaders.ts). Arg ops
// write int32 indices to `out_idx`; on ties the first index wins, as in PyTorch.
// Entry `rows` (inner == 1): one workgroup per row, a strided partial per invocation, then a
// tree in workgroup memory. Entry `cols` (inner > 1): one invocation per output, looping over
// len; neighbouring invocations read neighbouring addresses.

alias T = f32;

override OP: u32 = 0u;
//#op-codes REDUCE_OPS
override WG: u32 = 64u; // a power of two, for the tree

struct Params { outer: u32, len: u32, inner: u32, _pad: u32 }

@group(0) @binding(0) var<storage, read> x: array<T>;
@group(0) @binding(1) var<storage, read_write> out: array<T>;
@group(0) @binding(2) var<uniform> p: Params;
@group(0) @binding(3) var<storage, read_write> out_idx: array<i32>;

const NONE: u32 = 0xffffffffu;

var<workgroup> wv: array<T, WG>;
var<workgroup> wi: array<u32, WG>;

struct Acc { v: T, i: u32 }

// Whether (v2, i2) should replace (v1, i1); NONE marks an empty partial.
fn better(a: Acc, b: Acc) -> bool {
  if (b.i == NONE) { return false; }
  if (a.i == NONE) { return true; }
  switch OP {
    case OP_MAX, OP_ARGMAX: { return b.v > a.v || (b.v == a.v && b.i < a.i); }
    default: { return b.v < a.v || (b.v == a.v && b.i < a.i); }
  }
}

fn combine(a: Acc, b: Acc) -> Acc {
  if (OP == OP_SUM) { return Acc(a.v + b.v, min(a.i, b.i)); }
  if (better(a, b)) { return b; }
  return a;
}

fn empty() -> Acc { return Acc(T(0), NONE); }

fn store(o: u32, acc: Acc) {
  if (OP == OP_ARGMAX || OP == OP_ARGMIN) { out_idx[o] = i32(acc.i); } else { out[o] = acc.v; }
}

@compute @workgroup_size(WG)
fn rows(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let row = wid.y * nwg.x + wid.x;
  if (row >= p.outer) { return; } // uniform across the workgroup
  var acc = empty();
  for (var r = lid; r < p.len; r += WG) {
    acc = combine(acc, Acc(x[row * p.len + r], r));
  }
  wv[lid] = acc.v;
  wi[lid] = acc.i;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (lid < s) {
      let c = combine(Acc(wv[lid], wi[lid]), Acc(wv[lid + s], wi[lid + s]));
      wv[lid] = c.v;
      wi[lid] = c.i;
    }
    workgroupBarrier();
  }
  if (lid == 0u) { store(row, Acc(wv[0], wi[0])); }
}

@compute @workgroup_size(WG)
fn cols(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let o = (wid.y * nwg.x + wid.x) * WG + lid;
  if (o >= p.outer * p.inner) { return; }
  let base = (o / p.inner) * p.len * p.inner + o % p.inner;
  var acc = empty();
  for (var r = 0u; r < p.len; r++) {
    acc = combine(acc, Acc(x[base + r * p.inner], r));
  }
  store(o, acc);
}
