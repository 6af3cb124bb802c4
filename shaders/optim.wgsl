// Fused optimizer updates: one dispatch per parameter reads its gradient and state once and
// writes the new parameter and state in place, following PyTorch's published update rules
// (torch.optim.SGD, Adam, AdamW, RMSprop). Adam's bias corrections arrive precomputed in
// float64 on the host: 1 - beta^t in f32 cancels badly (1 - 0.999 keeps ~4 digits).

override WG: u32 = 64u;
const PER_THREAD: u32 = 4u;

// FLAG_NESTEROV, FLAG_DECOUPLED, FLAG_CENTERED, FLAG_MOMENTUM: the bits of `h.flags`, written
// here by the shader loader from OPTIM_FLAGS (src/backend/webgpu/shaderConstants.ts).
//#flags OPTIM_FLAGS

struct Hyper {
  step: u32, flags: u32, _pad0: u32, _pad1: u32,
  lr: f32, weight_decay: f32, momentum: f32, dampening: f32,
  beta1: f32, beta2: f32, eps: f32, alpha: f32,
  // Adam: lr / (1 - beta1^t) and sqrt(1 - beta2^t).
  step_size: f32, bc2_sqrt: f32, _pad2: f32, _pad3: f32,
}
struct Size { n: u32 }

@group(0) @binding(0) var<storage, read_write> param: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> s0: array<f32>;
@group(0) @binding(3) var<storage, read_write> s1: array<f32>;
@group(0) @binding(4) var<storage, read_write> s2: array<f32>;
@group(0) @binding(5) var<uniform> h: Hyper;
@group(0) @binding(6) var<uniform> size: Size;

fn has(flag: u32) -> bool { return (h.flags & flag) != 0u; }

fn index(wid: vec3u, nwg: vec3u, lid: u32, k: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * WG + lid + k * nwg.x * nwg.y * WG;
}

// s0: momentum buffer (bound to a scratch buffer and untouched when momentum is 0).
@compute @workgroup_size(WG)
fn sgd(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
       @builtin(local_invocation_index) lid: u32) {
  for (var k = 0u; k < PER_THREAD; k++) {
    let i = index(wid, nwg, lid, k);
    if (i >= size.n) { return; }
    var d = grad[i] + h.weight_decay * param[i];
    if (has(FLAG_MOMENTUM)) {
      var buf = d;
      if (h.step > 1u) { buf = h.momentum * s0[i] + (1.0 - h.dampening) * d; }
      s0[i] = buf;
      d = select(buf, d + h.momentum * buf, has(FLAG_NESTEROV));
    }
    param[i] = param[i] - h.lr * d;
  }
}

// s0: exp_avg, s1: exp_avg_sq. FLAG_DECOUPLED is AdamW's weight decay, applied to the parameter.
@compute @workgroup_size(WG)
fn adam(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  for (var k = 0u; k < PER_THREAD; k++) {
    let i = index(wid, nwg, lid, k);
    if (i >= size.n) { return; }
    var p = param[i];
    var g = grad[i];
    if (has(FLAG_DECOUPLED)) { p = p * (1.0 - h.lr * h.weight_decay); } else { g = g + h.weight_decay * p; }
    let m = h.beta1 * s0[i] + (1.0 - h.beta1) * g;
    let v = h.beta2 * s1[i] + (1.0 - h.beta2) * g * g;
    s0[i] = m;
    s1[i] = v;
    param[i] = p - h.step_size * m / (sqrt(v) / h.bc2_sqrt + h.eps);
  }
}

// s0: square_avg, s1: momentum buffer, s2: grad_avg (centered).
@compute @workgroup_size(WG)
fn rmsprop(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(local_invocation_index) lid: u32) {
  for (var k = 0u; k < PER_THREAD; k++) {
    let i = index(wid, nwg, lid, k);
    if (i >= size.n) { return; }
    let g = grad[i] + h.weight_decay * param[i];
    let sq = h.alpha * s0[i] + (1.0 - h.alpha) * g * g;
    s0[i] = sq;
    var avg: f32;
    if (has(FLAG_CENTERED)) {
      let ga = h.alpha * s2[i] + (1.0 - h.alpha) * g;
      s2[i] = ga;
      avg = sqrt(sq - ga * ga) + h.eps;
    } else {
      avg = sqrt(sq) + h.eps;
    }
    if (has(FLAG_MOMENTUM)) {
      let buf = h.momentum * s1[i] + g / avg;
      s1[i] = buf;
      param[i] = param[i] - h.lr * buf;
    } else {
      param[i] = param[i] - h.lr * g / avg;
    }
  }
}
