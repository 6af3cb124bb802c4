// Embedding lookup (a row gather) and its gradient (a scatter-add of rows), one invocation per
// output element.
//
// The backward adds each dOut row into dWeight[indices[i]] with a compare-and-swap loop on the
// float's u32 bits, because WGSL has no float atomics and a repeated index must accumulate.
// The alternatives cost more: a deterministic pass per weight row reads all N indices for
// each of the V rows (O(V·N·dim)), and sorting the indices first needs a GPU sort. CAS is
// O(N·dim) and only contends where indices repeat. Its one price is that the order of the
// additions, hence the last bits of a repeated row's sum, can vary from run to run.
//
// A bad index cannot throw on the device: `gather` writes a zero row and records the first
// bad position in `err`; `error_value` then stores the index found there. The host reads
// `err` at its next read (src/backend/webgpu/kernels/embedding.ts), much as CUDA reports a
// device-side assert.

override WG: u32 = 64u;

struct Params { n: u32, dim: u32, rows: u32, pad: u32 }

@group(0) @binding(0) var<storage, read> weight: array<f32>;
@group(0) @binding(1) var<storage, read> indices: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;
// [first bad position (u32 max when none), the index found there, 1 once that is stored,
//  the number of rows of that lookup's weight]
@group(0) @binding(4) var<storage, read_write> err: array<atomic<u32>, 4>;
@group(0) @binding(5) var<storage, read> dout: array<f32>;
@group(0) @binding(6) var<storage, read_write> grad: array<atomic<u32>>;

fn thread_index(wid: vec3u, nwg: vec3u, lid: u32) -> u32 { return (wid.y * nwg.x + wid.x) * WG + lid; }

@compute @workgroup_size(WG)
fn gather(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
          @builtin(local_invocation_index) lid: u32) {
  let e = thread_index(wid, nwg, lid);
  if (e >= p.n * p.dim) { return; }
  let pos = e / p.dim;
  let d = e % p.dim;
  let r = indices[pos];
  if (r < 0 || u32(r) >= p.rows) {
    out[e] = 0.0;
    // Keep the error already reported by an earlier lookup rather than mixing two.
    if (d == 0u && atomicLoad(&err[2]) == 0u) { atomicMin(&err[0], pos); }
    return;
  }
  out[e] = weight[u32(r) * p.dim + d];
}

@compute @workgroup_size(1)
fn error_value() {
  let pos = atomicLoad(&err[0]);
  if (pos != 0xffffffffu && atomicLoad(&err[2]) == 0u) {
    atomicStore(&err[1], bitcast<u32>(indices[pos]));
    atomicStore(&err[3], p.rows);
    atomicStore(&err[2], 1u);
  }
}

@compute @workgroup_size(WG)
fn scatter_add(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
               @builtin(local_invocation_index) lid: u32) {
  let e = thread_index(wid, nwg, lid);
  if (e >= p.n * p.dim) { return; }
  let r = indices[e / p.dim];
  // A bad index's row gets no gradient; the backward records it too, so that the gradient,
  // which depends on it, reports it when read.
  if (r < 0 || u32(r) >= p.rows) {
    if (e % p.dim == 0u && atomicLoad(&err[2]) == 0u) { atomicMin(&err[0], e / p.dim); }
    return;
  }
  let v = dout[e];
  let at = u32(r) * p.dim + e % p.dim;
  var old = atomicLoad(&grad[at]);
  loop {
    let sum = bitcast<u32>(bitcast<f32>(old) + v);
    let res = atomicCompareExchangeWeak(&grad[at], old, sum);
    if (res.exchanged) { break; }
    old = res.old_value;
  }
}
