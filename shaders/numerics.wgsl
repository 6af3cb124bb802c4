// dg.debug({ checkNumerics: true }): after each op, one pass over its output that records the
// op's serial number if any element is NaN or ±Inf. The record keeps the smallest serial, so
// the host learns the first op (in call order) whose output went non-finite, whatever order
// the device finishes in. The test is on the bits (exponent all ones), which no compiler's
// fast-math assumptions can fold away, unlike `v != v`.

override WG: u32 = 64u;
const PER_THREAD: u32 = 4u;

struct Params { n: u32, serial: u32 }

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<uniform> p: Params;
// [the smallest serial of an op with a non-finite output; u32 max while there is none]
@group(0) @binding(2) var<storage, read_write> first: array<atomic<u32>, 1>;

@compute @workgroup_size(WG)
fn check_finite(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                @builtin(local_invocation_index) lid: u32) {
  let stride = nwg.x * nwg.y * WG;
  var i = (wid.y * nwg.x + wid.x) * WG + lid;
  var bad = false;
  for (var k = 0u; k < PER_THREAD; k++) {
    if (i < p.n && (x[i] & 0x7f800000u) == 0x7f800000u) { bad = true; }
    i += stride;
  }
  if (bad) { atomicMin(&first[0], p.serial); }
}
