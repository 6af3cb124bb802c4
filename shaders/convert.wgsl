// Fill and dtype casts. `fill` writes one 32-bit pattern (a float's or an int's bits).
// f32 -> i32 truncates toward zero, as the CPU reference does.

override WG: u32 = 64u;
const PER_THREAD: u32 = 4u;

struct Params { n: u32, bits: u32 }

@group(0) @binding(0) var<storage, read> src_f: array<f32>;
@group(0) @binding(1) var<storage, read> src_i: array<i32>;
@group(0) @binding(2) var<storage, read_write> dst_f: array<f32>;
@group(0) @binding(3) var<storage, read_write> dst_i: array<i32>;
@group(0) @binding(4) var<uniform> p: Params;
@group(0) @binding(5) var<storage, read_write> dst_u: array<u32>;

fn thread_index(wid: vec3u, nwg: vec3u, lid: u32) -> u32 { return (wid.y * nwg.x + wid.x) * WG + lid; }

@compute @workgroup_size(WG)
fn fill(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let threads = nwg.x * nwg.y * WG;
  let t = thread_index(wid, nwg, lid);
  for (var k = 0u; k < PER_THREAD; k++) {
    let i = t + k * threads;
    if (i < p.n) { dst_u[i] = p.bits; }
  }
}

@compute @workgroup_size(WG)
fn to_i32(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
          @builtin(local_invocation_index) lid: u32) {
  let threads = nwg.x * nwg.y * WG;
  let t = thread_index(wid, nwg, lid);
  for (var k = 0u; k < PER_THREAD; k++) {
    let i = t + k * threads;
    if (i < p.n) { dst_i[i] = i32(src_f[i]); }
  }
}

@compute @workgroup_size(WG)
fn to_f32(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
          @builtin(local_invocation_index) lid: u32) {
  let threads = nwg.x * nwg.y * WG;
  let t = thread_index(wid, nwg, lid);
  for (var k = 0u; k < PER_THREAD; k++) {
    let i = t + k * threads;
    if (i < p.n) { dst_f[i] = f32(src_i[i]); }
  }
}
