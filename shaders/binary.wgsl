// Elementwise binary ops with NumPy broadcasting (entry `binary`), comparisons giving f32 1/0
// (entry `compare`), and `where`. Operands are strided views of the output shape: a broadcast
// dimension has stride 0. CONTIGUOUS=1 skips the index arithmetic when both operands are
// plain contiguous arrays of the output's size (the common case in training).
// OP is one of BINARY_OPS (entries binary*) or COMPARE_OPS (compare*) in src/backend/backend.ts,
// named by the OP_* constants the shader loader writes on the `//#op-codes` line.

alias T = f32;

override OP: u32 = 0u;
//#op-codes BINARY_OPS COMPARE_OPS
override WG: u32 = 64u;
override CONTIGUOUS: u32 = 0u;
const PER_THREAD: u32 = 4u;
const MAX_RANK: u32 = 8u;

struct Params {
  n: u32, rank: u32, a_off: u32, b_off: u32,
  shape: array<vec4u, 2>,
  a_str: array<vec4u, 2>,
  b_str: array<vec4u, 2>,
}

@group(0) @binding(0) var<storage, read> a: array<T>;
@group(0) @binding(1) var<storage, read> b: array<T>;
@group(0) @binding(2) var<storage, read_write> out: array<T>;
@group(0) @binding(3) var<uniform> p: Params;
@group(0) @binding(4) var<storage, read_write> mask: array<f32>;
@group(0) @binding(5) var<storage, read> cond: array<f32>;

/** The operands of output element i: a and b read through their strided views. */
fn operands(i: u32) -> vec2<T> {
  if (CONTIGUOUS == 1u) { return vec2<T>(a[i], b[i]); }
  var rem = i;
  var oa = p.a_off;
  var ob = p.b_off;
  for (var d = i32(p.rank) - 1; d >= 0; d--) {
    let q = u32(d) / 4u;
    let r = u32(d) % 4u;
    // The outermost dimension's index is what the inner ones leave: no division (integer
    // division runs lane by lane on CPU adapters, and the dispatcher merges dimensions so that
    // a bias add over [rows, n] divides once per element).
    var c = rem;
    if (d > 0) {
      c = rem % p.shape[q][r];
      rem = rem / p.shape[q][r];
    }
    oa += c * p.a_str[q][r];
    ob += c * p.b_str[q][r];
  }
  return vec2<T>(a[oa], b[ob]);
}

fn op(x: T, y: T) -> T {
  switch OP {
    case OP_ADD: { return x + y; }
    case OP_SUB: { return x - y; }
    case OP_MUL: { return x * y; }
    case OP_DIV: { return x / y; }
    case OP_POW: { return T(pow(f32(x), f32(y))); }
    case OP_MAXIMUM: { return max(x, y); }
    case OP_MINIMUM: { return min(x, y); }
    default: { return x; }
  }
}

fn cmp(x: T, y: T) -> bool {
  switch OP {
    case OP_EQ: { return x == y; }
    case OP_NE: { return x != y; }
    case OP_LT: { return x < y; }
    case OP_LE: { return x <= y; }
    case OP_GT: { return x > y; }
    case OP_GE, default: { return x >= y; }
  }
}

fn thread_index(wid: vec3u, nwg: vec3u, lid: u32) -> u32 { return (wid.y * nwg.x + wid.x) * WG + lid; }

@compute @workgroup_size(WG)
fn binary(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
          @builtin(local_invocation_index) lid: u32) {
  let threads = nwg.x * nwg.y * WG;
  let t = thread_index(wid, nwg, lid);
  for (var k = 0u; k < PER_THREAD; k++) {
    let i = t + k * threads;
    if (i < p.n) { let v = operands(i); out[i] = op(v.x, v.y); }
  }
}

// Views that merge to at most three dimensions [planes, rows, cols] with cols >= WG (a bias over
// rows, a per-channel scale of NCHW planes, a scalar): workgroup y and z are the row and plane,
// so no invocation divides. Each invocation takes PER_THREAD columns WG apart, so neighbouring
// lanes touch neighbouring words. The dispatcher pads the view to three dimensions.
fn grid_element(wid: vec3u, col: u32) -> u32 { return (wid.z * p.shape[0][1] + wid.y) * p.shape[0][2] + col; }

fn grid_operands(wid: vec3u, col: u32) -> vec2<T> {
  return vec2<T>(a[p.a_off + wid.z * p.a_str[0][0] + wid.y * p.a_str[0][1] + col * p.a_str[0][2]],
                 b[p.b_off + wid.z * p.b_str[0][0] + wid.y * p.b_str[0][1] + col * p.b_str[0][2]]);
}

@compute @workgroup_size(WG)
fn binary_3d(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  for (var k = 0u; k < PER_THREAD; k++) {
    let col = (wid.x * PER_THREAD + k) * WG + lid;
    if (col < p.shape[0][2]) { let v = grid_operands(wid, col); out[grid_element(wid, col)] = op(v.x, v.y); }
  }
}

@compute @workgroup_size(WG)
fn compare_3d(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  for (var k = 0u; k < PER_THREAD; k++) {
    let col = (wid.x * PER_THREAD + k) * WG + lid;
    if (col < p.shape[0][2]) { let v = grid_operands(wid, col); mask[grid_element(wid, col)] = select(0.0, 1.0, cmp(v.x, v.y)); }
  }
}

@compute @workgroup_size(WG)
fn compare(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(local_invocation_index) lid: u32) {
  let threads = nwg.x * nwg.y * WG;
  let t = thread_index(wid, nwg, lid);
  for (var k = 0u; k < PER_THREAD; k++) {
    let i = t + k * threads;
    if (i < p.n) { let v = operands(i); mask[i] = select(0.0, 1.0, cmp(v.x, v.y)); }
  }
}

@compute @workgroup_size(WG)
fn where_select(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                @builtin(local_invocation_index) lid: u32) {
  let threads = nwg.x * nwg.y * WG;
  let t = thread_index(wid, nwg, lid);
  for (var k = 0u; k < PER_THREAD; k++) {
    let i = t + k * threads;
    if (i < p.n) { out[i] = select(b[i], a[i], cond[i] != 0.0); }
  }
}
