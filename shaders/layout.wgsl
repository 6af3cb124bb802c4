// Data movement between a contiguous array and a strided view: `gather` copies a view out
// (permute, slice, broadcast-expand), `scatter` writes into one (concat, slice backward).
// Elements are moved as raw 32-bit words, so one pipeline serves float32 and int32.

override WG: u32 = 64u;
const PER_THREAD: u32 = 4u;

struct Params {
  n: u32, rank: u32, offset: u32, _pad: u32,
  shape: array<vec4u, 2>,
  strides: array<vec4u, 2>,
}

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<uniform> p: Params;

fn view_offset(i: u32) -> u32 {
  var rem = i;
  var off = p.offset;
  for (var d = i32(p.rank) - 1; d >= 0; d--) {
    let q = u32(d) / 4u;
    let r = u32(d) % 4u;
    // As in binary.wgsl: the outermost index needs no division, and the dispatcher has merged
    // the dimensions that the view steps through as one.
    var c = rem;
    if (d > 0) {
      c = rem % p.shape[q][r];
      rem = rem / p.shape[q][r];
    }
    off += c * p.strides[q][r];
  }
  return off;
}

@compute @workgroup_size(WG)
fn gather(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
          @builtin(local_invocation_index) lid: u32) {
  let threads = nwg.x * nwg.y * WG;
  let t = (wid.y * nwg.x + wid.x) * WG + lid;
  for (var k = 0u; k < PER_THREAD; k++) {
    let i = t + k * threads;
    if (i < p.n) { dst[i] = src[view_offset(i)]; }
  }
}

@compute @workgroup_size(WG)
fn scatter(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(local_invocation_index) lid: u32) {
  let threads = nwg.x * nwg.y * WG;
  let t = (wid.y * nwg.x + wid.x) * WG + lid;
  for (var k = 0u; k < PER_THREAD; k++) {
    let i = t + k * threads;
    if (i < p.n) { dst[view_offset(i)] = src[i]; }
  }
}
