// Batched matrix product out[b] = A[b] @ B[b], each invocation computing a TM x 4 block of
// outputs held in registers. Operands are read through row/column strides, so transposed
// operands (the backward's A^T and B^T) need no copy; per-batch offsets come from `offs`,
// which is how broadcast batch dimensions are expressed.

override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;
const TM: u32 = 4u;
const TN: u32 = 4u;

struct Params {
  M: u32, K: u32, N: u32, batch: u32,
  a_rs: u32, a_cs: u32, b_rs: u32, b_cs: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;
@group(0) @binding(4) var<storage, read> offs: array<vec2u>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let bt = gid.z;
  let row0 = gid.y * TM;
  let col0 = gid.x * TN;
  if (row0 >= p.M || col0 >= p.N) { return; }
  let o = offs[bt];
  // Clamped indices keep every load in bounds; the clamped rows/columns are never stored.
  var ar: array<u32, TM>;
  for (var i = 0u; i < TM; i++) { ar[i] = o.x + min(row0 + i, p.M - 1u) * p.a_rs; }
  var bc: vec4u;
  for (var j = 0u; j < TN; j++) { bc[j] = o.y + min(col0 + j, p.N - 1u) * p.b_cs; }
  var acc: array<vec4f, TM>;
  for (var k = 0u; k < p.K; k++) {
    let bk = k * p.b_rs;
    let bv = vec4f(b[bc.x + bk], b[bc.y + bk], b[bc.z + bk], b[bc.w + bk]);
    let ak = k * p.a_cs;
    for (var i = 0u; i < TM; i++) { acc[i] += a[ar[i] + ak] * bv; }
  }
  let base = bt * p.M * p.N;
  for (var i = 0u; i < TM; i++) {
    let r = row0 + i;
    if (r < p.M) {
      for (var j = 0u; j < TN; j++) {
        if (col0 + j < p.N) { out[base + r * p.N + col0 + j] = acc[i][j]; }
      }
    }
  }
}
