// LSTM time steps, one dispatch per step: the recurrent product and the cell fused. Gate order
// i, f, g, o as in PyTorch. `xg` = x·W_ihᵀ + biases for the whole sequence arrives from one
// matmul queued before the first step and is read at each step's offset. Everything the next
// step or the backward needs is written into whole-sequence buffers at per-step offsets, so a
// sequence is a chain of dispatches with no read-back. Slot layouts: src/backend/lstmSpec.ts.
//
// One invocation owns one hidden unit j of ROWS batch rows. A workgroup takes WG neighbouring
// units (workgroup_id.x) of one row block (workgroup_id.y), so on a CPU adapter (SIMD lanes =
// invocations) the loads of h (or of the later step's dgates) depend on the workgroup alone:
// provably uniform, one load for all lanes. The weight loads are consecutive addresses, one
// vector load; the accumulators (4 gates x ROWS in the forward) stay within a CPU's vector
// registers. On a GPU the same layout reads each weight row once per ROWS batch rows.
//
// MASKED=1 reads a [T, B] mask of 1/0: a 0 step keeps the state and outputs zero, which makes
// a padded example's results equal to those of its unpadded sequence.

override WG: u32 = 64u;
override MASKED: u32 = 0u;
// step_forward computes the recurrent sums h_prev·W_hhᵀ itself, from W_hhᵀ; with PRODUCT =
// false (a one-step sequence, e.g. LSTMCell) a matmul has already put them in `w` as [B, 4H],
// reading W_hh in place: for a single step, transposing W_hh would cost as much as the step.
override PRODUCT: bool = true;

const ROWS = 4u;

struct Params {
  batch: u32, hidden: u32,
  gate_off: u32,   // this step's [B, 4H] block of xg / gates / dgates
  prev_off: u32,   // slot of states/cells this step reads
  next_off: u32,   // slot it writes
  out_off: u32,    // this step's [B, H] block of out / dout
  mask_off: u32,   // this step's [B] block of the mask
  final_off: u32,  // rows T and T+1 of out: the latest h and c
  ds_off: u32,     // where ds_in's [2, B, H] block (dh, dc) starts
  has_later: u32,  // backward: 0 on the first step taken, which has no later step
  later_off: u32,  // backward: the later step's [B, 4H] block of dgates
  pad: u32,
}

@group(0) @binding(0) var<storage, read> xg: array<f32>;
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
// step_forward: W_hhᵀ [H, 4H] (transposed once per sequence), or the sums [B, 4H] (PRODUCT =
// false); step_backward: W_hh [4H, H].
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

// Both steps keep four running sums per batch row in a vec4 (the four gates of one unit in the
// forward, four units in the backward); on a CPU adapter its components are four registers.

/** The cell of batch row b, unit j, given its gates' recurrent sums h_prev·W_hhᵀ (i, f, g, o). */
fn cell_forward(b: u32, j: u32, a: vec4f) {
  let H = p.hidden;
  let s = b * H + j;
  let gx = p.gate_off + b * 4u * H + j;
  let i = sigmoid(xg[gx] + a.x);
  let f = sigmoid(xg[gx + H] + a.y);
  let g = tanh_safe(xg[gx + 2u * H] + a.z);
  let o = sigmoid(xg[gx + 3u * H] + a.w);
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

/** The four gates' entries of unit j in a row of 4H values starting at `row` (of `w`). */
fn gates_of(row: u32, j: u32) -> vec4f {
  let H = p.hidden;
  return vec4f(w[row + j], w[row + H + j], w[row + 2u * H + j], w[row + 3u * H + j]);
}

@compute @workgroup_size(WG)
fn step_forward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let H = p.hidden;
  let j = wid.x * WG + lid;
  if (j >= H) { return; }
  let block = wid.y;
  var a0 = vec4f(0.0);
  var a1 = vec4f(0.0);
  var a2 = vec4f(0.0);
  var a3 = vec4f(0.0);
  if (PRODUCT) {
    let h = block_rows(block, p.prev_off, H);
    for (var k = 0u; k < H; k++) {
      // Row k of W_hhᵀ: the four gates' H columns side by side.
      let wk = gates_of(k * 4u * H, j);
      a0 += states[h.x + k] * wk;
      a1 += states[h.y + k] * wk;
      a2 += states[h.z + k] * wk;
      a3 += states[h.w + k] * wk;
    }
  } else {
    let r = block_rows(block, 0u, 4u * H);
    a0 = gates_of(r.x, j);
    a1 = gates_of(r.y, j);
    a2 = gates_of(r.z, j);
    a3 = gates_of(r.w, j);
  }
  let first = block * ROWS;
  cell_forward(first, j, a0);
  if (first + 1u < p.batch) { cell_forward(first + 1u, j, a1); }
  if (first + 2u < p.batch) { cell_forward(first + 2u, j, a2); }
  if (first + 3u < p.batch) { cell_forward(first + 3u, j, a3); }
}

// The gate derivatives of batch row b, unit j. ds_in holds (dh, dc) with respect to the state
// this step wrote, except for the recurrent term dGates_later·W_hh, computed by the caller
// (`later`); ds_out gets (dh, dc) for the state it read, again minus the recurrent term of this
// step's own dgates, which the next step taken adds.
fn cell_backward(b: u32, j: u32, later: f32) {
  let H = p.hidden;
  let BH = p.batch * H;
  let s = b * H + j;
  var dh = ds_in[p.ds_off + s] + later;
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

/** cell_backward for one batch row and the invocation's four units, given dh's recurrent sums. */
fn cell_backward_units(b: u32, j: u32, a: vec4f) {
  cell_backward(b, j, a.x);
  if (j + WG < p.hidden) { cell_backward(b, j + WG, a.y); }
  if (j + 2u * WG < p.hidden) { cell_backward(b, j + 2u * WG, a.z); }
  if (j + 3u * WG < p.hidden) { cell_backward(b, j + 3u * WG, a.w); }
}

// The recurrent term of dh is the later step's dgates [B, 4H] times W_hh [4H, H]: 4H products
// per row and unit, read from dgates at `later_off` (none on the first step taken). With one
// unit per invocation each uniform dgates load would feed one product per row; here each
// invocation takes 4 units (j, j + WG, j + 2 WG, j + 3 WG: consecutive across lanes for each),
// so a dgates load feeds 4 and a weight load 4 rows, like step_forward's 4 gates.
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
    let g = block_rows(block, p.later_off, 4u * H);
    // Units past H read column H - 1 (in bounds) and are never written.
    let j1 = min(j + WG, H - 1u);
    let j2 = min(j + 2u * WG, H - 1u);
    let j3 = min(j + 3u * WG, H - 1u);
    for (var k = 0u; k < 4u * H; k++) {
      let row = k * H;
      let wk = vec4f(w[row + j], w[row + j1], w[row + j2], w[row + j3]);
      a0 += dgates[g.x + k] * wk;
      a1 += dgates[g.y + k] * wk;
      a2 += dgates[g.z + k] * wk;
      a3 += dgates[g.w + k] * wk;
    }
  }
  let first = block * ROWS;
  cell_backward_units(first, j, a0);
  if (first + 1u < p.batch) { cell_backward_units(first + 1u, j, a1); }
  if (first + 2u < p.batch) { cell_backward_units(first + 2u, j, a2); }
  if (first + 3u < p.batch) { cell_backward_units(first + 3u, j, a3); }
}
