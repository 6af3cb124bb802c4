// Fused LSTM cell, one time step per dispatch, one invocation per (batch row, hidden unit).
// Gate order i, f, g, o as in PyTorch. The pre-activations arrive in two parts from matmuls
// queued just before: `xg` = x·W_ihᵀ + biases for the whole sequence (one matmul, read at
// this step's offset) and `hw` = h_prev·W_hhᵀ for this step. Everything the next step or the
// backward needs is written into whole-sequence buffers at per-step offsets, so a sequence
// is a chain of dispatches with no read-back. Slot layouts: src/backend/lstmSpec.ts.
//
// MASKED=1 reads a [T, B] mask of 1/0: a 0 step keeps the state and outputs zero, which makes
// a padded example's results equal to those of its unpadded sequence.

override WG: u32 = 64u;
override MASKED: u32 = 0u;

struct Params {
  batch: u32, hidden: u32,
  gate_off: u32,   // this step's [B, 4H] block of xg / gates / dgates
  prev_off: u32,   // slot of states/cells this step reads
  next_off: u32,   // slot it writes
  out_off: u32,    // this step's [B, H] block of out / dout
  mask_off: u32,   // this step's [B] block of the mask
  final_off: u32,  // rows T and T+1 of out: the latest h and c
  ds_off: u32,     // where ds_in's [2, B, H] block (dh, dc) starts
  has_hw: u32,     // backward: 0 on the first step taken, which has no later step
  pad0: u32, pad1: u32,
}

@group(0) @binding(0) var<storage, read> xg: array<f32>;
@group(0) @binding(1) var<storage, read> hw: array<f32>;
@group(0) @binding(2) var<storage, read_write> states: array<f32>;
@group(0) @binding(3) var<storage, read_write> cells: array<f32>;
@group(0) @binding(4) var<storage, read_write> gates: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
@group(0) @binding(6) var<storage, read> mask: array<f32>;
@group(0) @binding(7) var<uniform> p: Params;
@group(0) @binding(8) var<storage, read> dout: array<f32>;
@group(0) @binding(9) var<storage, read_write> dgates: array<f32>;
@group(0) @binding(10) var<storage, read> ds_in: array<f32>;
@group(0) @binding(11) var<storage, read_write> ds_out: array<f32>;

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

fn thread_index(wid: vec3u, nwg: vec3u, lid: u32) -> u32 { return (wid.y * nwg.x + wid.x) * WG + lid; }

@compute @workgroup_size(WG)
fn cell_forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                @builtin(local_invocation_index) lid: u32) {
  let H = p.hidden;
  let s = thread_index(wid, nwg, lid);
  if (s >= p.batch * H) { return; }
  let b = s / H;
  let j = s % H;
  let gx = p.gate_off + b * 4u * H + j;
  let gh = b * 4u * H + j;
  let i = sigmoid(xg[gx] + hw[gh]);
  let f = sigmoid(xg[gx + H] + hw[gh + H]);
  let g = tanh_safe(xg[gx + 2u * H] + hw[gh + 2u * H]);
  let o = sigmoid(xg[gx + 3u * H] + hw[gh + 3u * H]);
  gates[gx] = i;
  gates[gx + H] = f;
  gates[gx + 2u * H] = g;
  gates[gx + 3u * H] = o;
  let c_prev = cells[p.prev_off + s];
  let h_prev = states[p.prev_off + s];
  let c = f * c_prev + i * g;
  let h = o * tanh_safe(c);
  let on = live(b);
  let c_new = select(c_prev, c, on);
  let h_new = select(h_prev, h, on);
  cells[p.next_off + s] = c_new;
  states[p.next_off + s] = h_new;
  out[p.out_off + s] = select(0.0, h, on);
  // Every step overwrites the final rows, so after the last one they hold hN and cN without
  // a separate copy.
  out[p.final_off + s] = h_new;
  out[p.final_off + p.batch * H + s] = c_new;
}

// The gate derivatives of one step. ds_in holds (dh, dc) with respect to the state this step
// wrote, except for the recurrent term dGates_later·W_hh, which arrives separately in `hw`
// (a matmul queued just before); ds_out gets (dh, dc) for the state it read, again minus the
// recurrent term of this step's own dgates, which the next matmul adds.
@compute @workgroup_size(WG)
fn cell_backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                 @builtin(local_invocation_index) lid: u32) {
  let H = p.hidden;
  let BH = p.batch * H;
  let s = thread_index(wid, nwg, lid);
  if (s >= BH) { return; }
  let b = s / H;
  let j = s % H;
  var dh = ds_in[p.ds_off + s];
  if (p.has_hw != 0u) { dh += hw[s]; }
  let dc = ds_in[p.ds_off + BH + s];
  let gx = p.gate_off + b * 4u * H + j;
  if (!live(b)) {
    // A padded step passed the state through unchanged, so its gradient passes through too.
    dgates[gx] = 0.0;
    dgates[gx + H] = 0.0;
    dgates[gx + 2u * H] = 0.0;
    dgates[gx + 3u * H] = 0.0;
    ds_out[s] = dh;
    ds_out[BH + s] = dc;
    return;
  }
  dh += dout[p.out_off + s];
  let i = gates[gx];
  let f = gates[gx + H];
  let g = gates[gx + 2u * H];
  let o = gates[gx + 3u * H];
  let tc = tanh_safe(cells[p.next_off + s]);
  let dc_total = dc + dh * o * (1.0 - tc * tc);
  dgates[gx] = dc_total * g * i * (1.0 - i);
  dgates[gx + H] = dc_total * cells[p.prev_off + s] * f * (1.0 - f);
  dgates[gx + 2u * H] = dc_total * i * (1.0 - g * g);
  dgates[gx + 3u * H] = dh * tc * o * (1.0 - o);
  ds_out[s] = 0.0;
  ds_out[BH + s] = dc_total * f;
}
