// Elementwise unary ops (entry `forward`) and their backward dx = dy * f'(x) (entry `backward`).
// OP selects the function when the pipeline is created: one of UNARY_OPS in
// src/backend/backend.ts, named by the OP_* constants the shader loader writes on the
// `//#op-codes` line (src/backend/webgpu/shaders.ts). Each invocation handles PER_THREAD
// elements strided by the whole grid, so neighbouring invocations touch neighbouring elements.

override OP: u32 = 0u;
//#op-codes UNARY_OPS
override WG: u32 = 64u;
const PER_THREAD: u32 = 4u;
const SQRT_2_OVER_PI: f32 = 0.7978845608028654;
const INV_SQRT_2: f32 = 0.7071067811865476;

struct Params { n: u32, param: f32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

// Same Numerical Recipes fit as the CPU reference (|error| < 1.2e-7); WGSL has no erf.
fn erf(v: f32) -> f32 {
  let z = abs(v);
  let t = 1.0 / (1.0 + 0.5 * z);
  let r = t * exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
    t * (-0.82215223 + t * 0.17087277)))))))));
  return select(r - 1.0, 1.0 - r, v >= 0.0);
}

fn sigmoid(v: f32) -> f32 {
  // Two branches so exp never overflows.
  let e = exp(-abs(v));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), v >= 0.0);
}

// Some drivers compute tanh through exp and return NaN for large |v|; tanh(15) is 1 in f32.
fn safe_tanh(v: f32) -> f32 { return tanh(clamp(v, -15.0, 15.0)); }

// log(1 + v) keeping v's digits near 0, where 1 + v rounds them away (all of them below 6e-8).
// WGSL has no log1p, and log's error near 1 is absolute (2^-21), so on [sqrt(1/2) - 1, sqrt(2) - 1]
// this sums 2 atanh(s) = log((1 + s) / (1 - s)) with s = v / (2 + v), |s| <= 0.172: the terms
// to s^11 leave a relative error below 1e-9. Outside that range log(1 + v) is exact enough.
fn log1p_(v: f32) -> f32 {
  if (v < -0.29289322 || v > 0.41421356) { return log(1.0 + v); }
  let s = v / (2.0 + v);
  let s2 = s * s;
  return 2.0 * s * (1.0 + s2 * (0.33333333 + s2 * (0.2 + s2 * (0.14285714 + s2 * (0.11111111 + s2 * 0.09090909)))));
}

// e^v - 1 keeping v's digits near 0: Taylor to v^8 / 8! for |v| <= log(sqrt(2)) (the next term
// is below 1e-9 relative), where exp(v) - 1 would cancel; beyond it the cancellation costs at
// most a factor 3.4.
fn expm1_(v: f32) -> f32 {
  if (abs(v) > 0.34657359) { return exp(v) - 1.0; }
  return v * (1.0 + v * (0.5 + v * (1.6666667e-1 + v * (4.1666667e-2 + v * (8.3333333e-3 +
    v * (1.3888889e-3 + v * (1.9841270e-4 + v * 2.4801587e-5)))))));
}

// log(1 + e^v) that neither overflows for large v nor loses the 1 for very negative v.
fn softplus(v: f32) -> f32 { return max(v, 0.0) + log1p_(exp(-abs(v))); }

// tanh(softplus(v)) as n (n + 2) / (n (n + 2) + 2) with n = e^v: no tanh of a value near 0 (which
// some drivers compute as a cancelling ratio of exps); 1 above v = 20, where n^2 would overflow.
fn tanh_softplus(v: f32) -> f32 {
  if (v > 20.0) { return 1.0; }
  let n = exp(v);
  let t = n * (n + 2.0);
  return t / (t + 2.0);
}

fn f(v: f32) -> f32 {
  switch OP {
    case OP_NEG: { return -v; }
    case OP_EXP: { return exp(v); }
    case OP_LOG: { return log(v); }
    case OP_SQRT: { return sqrt(v); }
    case OP_ABS: { return abs(v); }
    // Not max(v, 0.0): WGSL leaves max(NaN, 0) to the implementation, and PyTorch keeps the NaN.
    case OP_RELU: { return select(v, 0.0, v <= 0.0); }
    case OP_SIGMOID: { return sigmoid(v); }
    case OP_TANH: { return safe_tanh(v); }
    case OP_GELU: { return 0.5 * v * (1.0 + erf(v * INV_SQRT_2)); }
    case OP_GELU_TANH: { return 0.5 * v * (1.0 + safe_tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v))); }
    case OP_LEAKY_RELU: { return select(v * p.param, v, v > 0.0); }
    case OP_SIN: { return sin(v); }
    case OP_COS: { return cos(v); }
    case OP_RECIPROCAL: { return 1.0 / v; }
    case OP_SQUARE: { return v * v; }
    case OP_SIGN: { return sign(v); }
    case OP_SILU: { return v * sigmoid(v); }
    // p.param: PyTorch's threshold, above which softplus is v itself (the host scales for beta).
    case OP_SOFTPLUS: { return select(softplus(v), v, v > p.param); }
    case OP_ELU: { return select(p.param * expm1_(v), v, v > 0.0); }
    case OP_HARDSWISH: { return v * clamp(v + 3.0, 0.0, 6.0) / 6.0; }
    case OP_MISH: { return v * tanh_softplus(v); }
    case OP_LOG_SIGMOID: { return -softplus(-v); }
    case OP_LOG1P: { return log1p_(v); }
    case OP_EXPM1: { return expm1_(v); }
    default: { return v; }
  }
}

fn df(v: f32) -> f32 {
  switch OP {
    case OP_NEG: { return -1.0; }
    case OP_EXP: { return exp(v); }
    case OP_LOG: { return 1.0 / v; }
    case OP_SQRT: { return 0.5 / sqrt(v); }
    case OP_ABS: { return sign(v); }
    case OP_RELU: { return select(0.0, 1.0, v > 0.0); }
    case OP_SIGMOID: { let s = sigmoid(v); return s * (1.0 - s); }
    case OP_TANH: { let t = safe_tanh(v); return 1.0 - t * t; }
    case OP_GELU: { return 0.5 * (1.0 + erf(v * INV_SQRT_2)) + v * exp(-0.5 * v * v) * 0.3989422804014327; }
    case OP_GELU_TANH: {
      let u = SQRT_2_OVER_PI * (v + 0.044715 * v * v * v);
      let t = safe_tanh(u);
      return 0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * SQRT_2_OVER_PI * (1.0 + 0.134145 * v * v);
    }
    case OP_LEAKY_RELU: { return select(p.param, 1.0, v > 0.0); }
    case OP_SIN: { return cos(v); }
    case OP_COS: { return -sin(v); }
    case OP_RECIPROCAL: { return -1.0 / (v * v); }
    case OP_SQUARE: { return 2.0 * v; }
    case OP_SIGN: { return 0.0; }
    case OP_SILU: { let s = sigmoid(v); return s * (1.0 + v * (1.0 - s)); }
    case OP_SOFTPLUS: { return select(sigmoid(v), 1.0, v > p.param); }
    case OP_ELU: { return select(p.param * exp(v), 1.0, v > 0.0); }
    // PyTorch's hardswish_backward, including its one-sided values at -3 and 3.
    case OP_HARDSWISH: { return select(select(1.0, v / 3.0 + 0.5, v <= 3.0), 0.0, v < -3.0); }
    case OP_MISH: { let t = tanh_softplus(v); return t + v * sigmoid(v) * (1.0 - t * t); }
    case OP_LOG_SIGMOID: { return sigmoid(-v); }
    case OP_LOG1P: { return 1.0 / (1.0 + v); }
    case OP_EXPM1: { return exp(v); }
    default: { return 0.0; }
  }
}

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(local_invocation_index) lid: u32) {
  let threads = nwg.x * nwg.y * WG;
  let t = (wid.y * nwg.x + wid.x) * WG + lid;
  for (var k = 0u; k < PER_THREAD; k++) {
    let i = t + k * threads;
    if (i < p.n) { out[i] = f(x[i]); }
  }
}

@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
            @builtin(local_invocation_index) lid: u32) {
  let threads = nwg.x * nwg.y * WG;
  let t = (wid.y * nwg.x + wid.x) * WG + lid;
  for (var k = 0u; k < PER_THREAD; k++) {
    let i = t + k * threads;
    if (i < p.n) { out[i] = dy[i] * df(x[i]); }
  }
}
