// The fast batched matmul for contiguous operands whose K (and vectorised dimensions) are
// multiples of 4; shaders/matmul.wgsl handles everything else.
//
// Each invocation owns ROWS x 4 outputs held in named vec4 accumulators. A workgroup is 1-D:
// all its invocations share the same ROWS rows and are interleaved across columns, so A's loads
// are the same address across the workgroup (uniform, one load for all lanes) and B's vec4 loads
// of neighbouring invocations are neighbouring 16-byte words. On software Vulkan (SIMD across
// invocations) this keeps loads, which are the bottleneck, to ROWS + 4 vec4 per 16 * ROWS FMAs;
// no workgroup memory is used because there the cost of the barriers outweighs the reuse. Tile
// shape (ROWS, WG) is chosen per adapter by src/backend/webgpu/autotune.ts.
//
// A_T / B_T say an operand is stored transposed (the backward's A^T @ g and g @ B^T): a 4 x 4
// block is then loaded along the other axis and transposed in registers, so no copy is made.
// Split-K: z indexes (split, batch); each split sums its own K range into its own slice of
// `out`, and `reduce_splits` adds the slices, so skinny products with long K still fill the GPU.

override WG: u32 = 64u;
override ROWS: u32 = 4u;
override A_T: bool = false;
override B_T: bool = false;

struct Params {
  M: u32, K: u32, N: u32, batch: u32,
  // K range per split (a multiple of 4), and the number of splits.
  k_chunk: u32, splits: u32, _pad0: u32, _pad1: u32,
}

@group(0) @binding(0) var<storage, read> a: array<vec4f>;
@group(0) @binding(1) var<storage, read> b: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;
// Per batch: element offsets of A's and B's matrices (multiples of 4).
@group(0) @binding(4) var<storage, read> offs: array<vec2u>;
@group(0) @binding(5) var<storage, read> partial: array<f32>;

// Rows r..r+3 of A at k..k+3, one vec4 along k per row.
fn load_a(base: u32, r: u32, k: u32) -> mat4x4f {
  let M = p.M;
  if (A_T) {
    // Stored [K, M]: one vec4 holds 4 consecutive rows at one k. M % 4 == 0 here.
    let rv = base + min(r, M - 4u) / 4u;
    let m4 = M / 4u;
    return transpose(mat4x4f(a[rv + k * m4], a[rv + (k + 1u) * m4], a[rv + (k + 2u) * m4], a[rv + (k + 3u) * m4]));
  }
  let k4 = p.K / 4u;
  let kv = base + k / 4u;
  // Clamped rows are loaded but never stored.
  return mat4x4f(a[kv + min(r, M - 1u) * k4], a[kv + min(r + 1u, M - 1u) * k4],
                 a[kv + min(r + 2u, M - 1u) * k4], a[kv + min(r + 3u, M - 1u) * k4]);
}

// B at k..k+3, columns c..c+3: column i of the result is B's row k+i (vec4 over the columns).
fn load_b(base: u32, c: u32, k: u32) -> mat4x4f {
  let N = p.N;
  if (B_T) {
    // Stored [N, K]: one vec4 holds 4 consecutive k of one column.
    let k4 = p.K / 4u;
    let kv = base + k / 4u;
    return transpose(mat4x4f(b[kv + min(c, N - 1u) * k4], b[kv + min(c + 1u, N - 1u) * k4],
                             b[kv + min(c + 2u, N - 1u) * k4], b[kv + min(c + 3u, N - 1u) * k4]));
  }
  // N % 4 == 0 here.
  let cv = base + min(c, N - 4u) / 4u;
  let n4 = N / 4u;
  return mat4x4f(b[cv + k * n4], b[cv + (k + 1u) * n4], b[cv + (k + 2u) * n4], b[cv + (k + 3u) * n4]);
}

fn store_row(base: u32, r: u32, c: u32, v: vec4f) {
  if (r >= p.M) { return; }
  let o = base + r * p.N + c;
  // The common case, a full vec4 inside the row, skips the per-element checks.
  if (c + 4u <= p.N) {
    out[o] = v.x; out[o + 1u] = v.y; out[o + 2u] = v.z; out[o + 3u] = v.w;
    return;
  }
  for (var j = 0u; j < 4u; j++) {
    if (c + j < p.N) { out[o + j] = v[j]; }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let split = wid.z / p.batch;
  let bt = wid.z % p.batch;
  let r0 = wid.y * ROWS;
  let c0 = (wid.x * WG + lid) * 4u;
  if (c0 >= p.N) { return; }
  let o = offs[bt];
  let abase = o.x / 4u;
  let bbase = o.y / 4u;
  let k_begin = split * p.k_chunk;
  let k_end = min(p.K, k_begin + p.k_chunk);
  var acc0 = vec4f(); var acc1 = vec4f(); var acc2 = vec4f(); var acc3 = vec4f();
  var acc4 = vec4f(); var acc5 = vec4f(); var acc6 = vec4f(); var acc7 = vec4f();
  for (var k = k_begin; k < k_end; k += 4u) {
    // Columns of bm are B's rows k..k+3, so bm * (a row's 4 values along k) is that row's update.
    let bm = load_b(bbase, c0, k);
    let lo = load_a(abase, r0, k);
    acc0 += bm * lo[0]; acc1 += bm * lo[1]; acc2 += bm * lo[2]; acc3 += bm * lo[3];
    // ROWS is a pipeline constant, so this branch is resolved when the pipeline is compiled.
    if (ROWS == 8u) {
      let hi = load_a(abase, r0 + 4u, k);
      acc4 += bm * hi[0]; acc5 += bm * hi[1]; acc6 += bm * hi[2]; acc7 += bm * hi[3];
    }
  }
  let base = (split * p.batch + bt) * p.M * p.N;
  store_row(base, r0, c0, acc0); store_row(base, r0 + 1u, c0, acc1);
  store_row(base, r0 + 2u, c0, acc2); store_row(base, r0 + 3u, c0, acc3);
  if (ROWS == 8u) {
    store_row(base, r0 + 4u, c0, acc4); store_row(base, r0 + 5u, c0, acc5);
    store_row(base, r0 + 6u, c0, acc6); store_row(base, r0 + 7u, c0, acc7);
  }
}

// out[i] = sum over splits of partial[s * total + i], total = batch * M * N.
@compute @workgroup_size(64)
fn reduce_splits(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.y * nwg.x * 64u + gid.x;
  let total = p.batch * p.M * p.N;
  if (i >= total) { return; }
  var s = 0.0;
  for (var j = 0u; j < p.splits; j++) { s += partial[j * total + i]; }
  out[i] = s;
}
