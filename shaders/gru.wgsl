// GRU time steps, one dispatch per step: the recurrent product and the gates fused. Gate order
// r, z, n as in PyTorch, with its n = tanh(x_n + r * (W_hn h + b_hn)): the recurrent sums keep
// their own bias b_hh, because r multiplies the n sum after its bias is added. `xg` = x·W_ihᵀ
// + b_ih for the whole sequence arrives from one matmul queued before the first step.
// Everything the next step or the backward needs is written into whole-sequence buffers at
// per-step offsets, so a sequence is a chain of dispatches with no read-back. Layouts:
// src/backend/gruSpec.ts. The thread layout is the LSTM's (shaders/lstm.wgsl): one invocation
// owns unit j of ROWS batch rows, a workgroup WG neighbouring units of one row block, so the
// state loads are uniform across a workgroup and the weight loads consecutive.
//
// MASKED=1 reads a [T, B] mask of 1/0: a 0 step keeps the state and outputs zero.

override WG: u32 = 64u;
override MASKED: u32 = 0u;

const ROWS = 4u;

struct Params {
  batch: u32, hidden: u32,
  xg_off: u32,     // this step's [B, 3H] block of xg / dgrads
  gate_off: u32,   // this step's [B, 4H] block of gates (r, z, n, W_hn h + b_hn)
  prev_off: u32,   // slot of states this step reads
  next_off: u32,   // slot it writes
  out_off: u32,    // this step's [B, H] block of out / dout
  mask_off: u32,   // this step's [B] block of the mask
  final_off: u32,  // row T of out: the latest h
  ds_off: u32,     // where ds_in's [B, H] block (dh) starts
  has_later: u32,  // backward: 0 on the first step taken, which has no later step
  later_off: u32,  // backward: the later step's [B, 3H] block of dgrads' recurrent half
  rec_off: u32,    // backward: where dgrads' recurrent half starts (T·B·3H)
  pad0: u32, pad1: u32, pad2: u32,
}

@group(0) @binding(0) var<storage, read> xg: array<f32>;
@group(0) @binding(1) var<storage, read> bhh: array<f32>;
@group(0) @binding(2) var<storage, read_write> states: array<f32>;
@group(0) @binding(4) var<storage, read_write> gates: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
@group(0) @binding(6) var<storage, read> mask: array<f32>;
@group(0) @binding(7) var<uniform> p: Params;
@group(0) @binding(8) var<storage, read> dout: array<f32>;
// [2, T, B, 3H]: the gradients of the input sums (x·W_ihᵀ + b_ih), then of the recurrent sums
// (h·W_hhᵀ + b_hh); they differ only in n, whose recurrent sum is scaled by r. One buffer keeps
// the backward within 8 storage bindings, WebGPU's default limit.
@group(0) @binding(9) var<storage, read_write> dgrads: array<f32>;
@group(0) @binding(10) var<storage, read> ds_in: array<f32>;
@group(0) @binding(11) var<storage, read_write> ds_out: array<f32>;
// step_forward: W_hhᵀ [H, 3H] (transposed once per sequence); step_backward: W_hh [3H, H].
@group(0) @binding(12) var<storage, read> w: array<f32>;

fn sigmoid(x: f32) -> f32 {
  // exp of a large positive argument overflows to inf; 1 / (1 + inf) is still the right 0.
  return 1.0 / (1.0 + exp(-x));
}

// Some drivers compute tanh as a ratio of exponentials that overflows to NaN for |x| > ~44;
// beyond 15 tanh is 1 to float32 precision anyway.
fn tanh_safe(x: f32) -> f32 {
  return tanh(clamp(x, -15.0, 15.0));
}

fn live(b: u32) -> bool {
  return MASKED == 0u || mask[p.mask_off + b] != 0.0;
}

/** Where the block's 4 rows start in a [B, stride] matrix at `base`; a partial last block's
 *  missing rows repeat the last row, so they read valid memory (and are never written). */
fn block_rows(block: u32, base: u32, stride: u32) -> vec4u {
  let rows = min(vec4u(block * ROWS) + vec4u(0u, 1u, 2u, 3u), vec4u(p.batch - 1u));
  return vec4u(base) + rows * stride;
}

/** Batch row b, unit j, given the recurrent sums h_prev·W_hhᵀ of its three gates (r, z, n). */
fn cell_forward(b: u32, j: u32, a: vec3f) {
  let H = p.hidden;
  let s = b * H + j;
  let gx = p.xg_off + b * 3u * H + j;
  let r = sigmoid(xg[gx] + a.x + bhh[j]);
  let z = sigmoid(xg[gx + H] + a.y + bhh[H + j]);
  let hn = a.z + bhh[2u * H + j];
  let n = tanh_safe(xg[gx + 2u * H] + r * hn);
  let gg = p.gate_off + b * 4u * H + j;
  gates[gg] = r;
  gates[gg + H] = z;
  gates[gg + 2u * H] = n;
  gates[gg + 3u * H] = hn;
  let h_prev = states[p.prev_off + s];
  let h = (1.0 - z) * n + z * h_prev;
  let on = live(b);
  let h_new = select(h_prev, h, on);
  states[p.next_off + s] = h_new;
  out[p.out_off + s] = select(0.0, h, on);
  // Every step overwrites the final row, so after the last one it holds hN without a copy.
  out[p.final_off + s] = h_new;
}

@compute @workgroup_size(WG)
fn step_forward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let H = p.hidden;
  let j = wid.x * WG + lid;
  if (j >= H) { return; }
  let block = wid.y;
  let h = block_rows(block, p.prev_off, H);
  var a0 = vec3f(0.0);
  var a1 = vec3f(0.0);
  var a2 = vec3f(0.0);
  var a3 = vec3f(0.0);
  for (var k = 0u; k < H; k++) {
    // Row k of W_hhᵀ: the three gates' H columns side by side.
    let row = k * 3u * H;
    let wk = vec3f(w[row + j], w[row + H + j], w[row + 2u * H + j]);
    a0 += states[h.x + k] * wk;
    a1 += states[h.y + k] * wk;
    a2 += states[h.z + k] * wk;
    a3 += states[h.w + k] * wk;
  }
  let first = block * ROWS;
  cell_forward(first, j, a0);
  if (first + 1u < p.batch) { cell_forward(first + 1u, j, a1); }
  if (first + 2u < p.batch) { cell_forward(first + 2u, j, a2); }
  if (first + 3u < p.batch) { cell_forward(first + 3u, j, a3); }
}

// The gate derivatives of batch row b, unit j. ds_in holds dh with respect to the state this
// step wrote, except for the recurrent term dRec_later·W_hh, computed by the caller (`later`);
// ds_out gets dh for the state it read, again minus the recurrent term of this step's own
// recurrent-sum gradients, which the next step taken adds.
fn cell_backward(b: u32, j: u32, later: f32) {
  let H = p.hidden;
  let s = b * H + j;
  var dh = ds_in[p.ds_off + s] + later;
  let dx = p.xg_off + b * 3u * H + j;
  let dr = dx + p.rec_off;
  if (!live(b)) {
    // A padded step passed the state through unchanged, so its gradient passes through too.
    dgrads[dx] = 0.0;
    dgrads[dx + H] = 0.0;
    dgrads[dx + 2u * H] = 0.0;
    dgrads[dr] = 0.0;
    dgrads[dr + H] = 0.0;
    dgrads[dr + 2u * H] = 0.0;
    ds_out[s] = dh;
    return;
  }
  dh += dout[p.out_off + s];
  let gg = p.gate_off + b * 4u * H + j;
  let r = gates[gg];
  let z = gates[gg + H];
  let n = gates[gg + 2u * H];
  let hn = gates[gg + 3u * H];
  let dn = dh * (1.0 - z) * (1.0 - n * n);
  let dz = dh * (states[p.prev_off + s] - n) * z * (1.0 - z);
  let drr = dn * hn * r * (1.0 - r);
  dgrads[dx] = drr;
  dgrads[dx + H] = dz;
  dgrads[dx + 2u * H] = dn;
  dgrads[dr] = drr;
  dgrads[dr + H] = dz;
  dgrads[dr + 2u * H] = dn * r;
  ds_out[s] = dh * z;
}

/** cell_backward for one batch row and the invocation's four units, given dh's recurrent sums. */
fn cell_backward_units(b: u32, j: u32, a: vec4f) {
  cell_backward(b, j, a.x);
  if (j + WG < p.hidden) { cell_backward(b, j + WG, a.y); }
  if (j + 2u * WG < p.hidden) { cell_backward(b, j + 2u * WG, a.z); }
  if (j + 3u * WG < p.hidden) { cell_backward(b, j + 3u * WG, a.w); }
}

// The recurrent term of dh is the later step's recurrent-sum gradients [B, 3H] times W_hh
// [3H, H], read at `later_off` (none on the first step taken). As in the LSTM, each invocation
// takes 4 units (j, j + WG, j + 2 WG, j + 3 WG), so a uniform load of dgrads feeds 4 products.
@compute @workgroup_size(WG)
fn step_backward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let H = p.hidden;
  let j = wid.x * 4u * WG + lid;
  if (j >= H) { return; }
  let block = wid.y;
  var a0 = vec4f(0.0);
  var a1 = vec4f(0.0);
  var a2 = vec4f(0.0);
  var a3 = vec4f(0.0);
  if (p.has_later != 0u) {
    let g = block_rows(block, p.later_off, 3u * H);
    // Units past H read column H - 1 (in bounds) and are never written.
    let j1 = min(j + WG, H - 1u);
    let j2 = min(j + 2u * WG, H - 1u);
    let j3 = min(j + 3u * WG, H - 1u);
    for (var k = 0u; k < 3u * H; k++) {
      let row = k * H;
      let wk = vec4f(w[row + j], w[row + j1], w[row + j2], w[row + j3]);
      a0 += dgrads[g.x + k] * wk;
      a1 += dgrads[g.y + k] * wk;
      a2 += dgrads[g.z + k] * wk;
      a3 += dgrads[g.w + k] * wk;
    }
  }
  let first = block * ROWS;
  cell_backward_units(first, j, a0);
  if (first + 1u < p.batch) { cell_backward_units(first + 1u, j, a1); }
  if (first + 2u < p.batch) { cell_backward_units(first + 2u, j, a2); }
  if (first + 3u < p.batch) { cell_backward_units(first + 3u, j, a3); }
}
