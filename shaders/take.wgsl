// Row gather: dst[i, :] = src[indices[i], :] for a table of `rows` rows of `row` words. Words
// are moved raw, so one pipeline serves float32 and int32 (fit's shuffled batches of x and y).
// An index outside [0, rows) gives a zero row rather than reading another tensor's memory.

override WG: u32 = 64u;
const PER_THREAD: u32 = 4u;

struct Params { n: u32, row: u32, rows: u32, _pad: u32 }

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read> indices: array<i32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn take_rows(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
             @builtin(local_invocation_index) lid: u32) {
  let threads = nwg.x * nwg.y * WG;
  let t = (wid.y * nwg.x + wid.x) * WG + lid;
  for (var k = 0u; k < PER_THREAD; k++) {
    let e = t + k * threads;
    if (e >= p.n) { return; }
    let r = indices[e / p.row];
    var v = 0u;
    if (r >= 0 && u32(r) < p.rows) { v = src[u32(r) * p.row + e % p.row]; }
    dst[e] = v;
  }
}
