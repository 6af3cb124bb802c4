// The recurrent layers' time steps, one dispatch per step: the recurrent product and the cell
// fused. LSTM (lstm_*: gate order i, f, g, o) and GRU (gru_*: r, z, n, with PyTorch's
// n = tanh(x_n + r * (W_hn h + b_hn))) as in PyTorch. `xg` = x·W_ihᵀ + biases for the whole
// sequence arrives from one matmul queued before the first step and is read at each step's
// offset (a GRU's holds b_ih only: its b_hh goes in with the recurrent sums, because r scales n's
// sum with its bias). Everything the next step or the backward needs is written into
// whole-sequence buffers at per-step offsets, so a sequence is a chain of dispatches with no
// read-back. Slot layouts: src/backend/lstmSpec.ts and gruSpec.ts.
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
// lstm_step_forward computes the recurrent sums h_prev·W_hhᵀ itself, from W_hhᵀ; with PRODUCT =
// false (a one-step sequence, e.g. LSTMCell) a matmul has already put them in `w` as [B, 4H],
// reading W_hh in place: for a single step, transposing W_hh would cost as much as the step.
override PRODUCT: bool = true;

const ROWS = 4u;

struct Params {
  batch: u32, hidden: u32,
  gate_off: u32,   // this step's [B, 4H] block of gates (LSTM: also of xg and dgates)
  prev_off: u32,   // slot of states/cells this step reads
  next_off: u32,   // slot it writes
  out_off: u32,    // this step's [B, H] block of out / dout
  mask_off: u32,   // this step's [B] block of the mask
  final_off: u32,  // rows T and T+1 of out: the latest h and c
  ds_off: u32,     // where ds_in's [2, B, H] block (dh, dc) starts
  has_later: u32,  // backward: 0 on the first step taken, which has no later step
  later_off: u32,  // backward: the later step's [B, G·H] block of dgates (GRU: of their recurrent half)
  xg_off: u32,     // GRU: this step's [B, 3H] block of xg and of both halves of dgates
  rec_off: u32,    // GRU backward: where dgates' recurrent half starts (T·B·3H)
  pad0: u32, pad1: u32, pad2: u32,
}

@group(0) @binding(0) var<storage, read> xg: array<f32>;
@group(0) @binding(1) var<storage, read> bhh: array<f32>;   // GRU: b_hh [3H]
@group(0) @binding(2) var<storage, read_write> states: array<f32>;
@group(0) @binding(3) var<storage, read_write> cells: array<f32>;
@group(0) @binding(4) var<storage, read_write> gates: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
@group(0) @binding(6) var<storage, read> mask: array<f32>;
@group(0) @binding(7) var<uniform> p: Params;
@group(0) @binding(8) var<storage, read> dout: array<f32>;
// LSTM: [T, B, 4H]. GRU: [2, T, B, 3H], the gradients of the input sums (x·W_ihᵀ + b_ih), then
// of the recurrent sums (h·W_hhᵀ + b_hh); they differ only in n, whose recurrent sum r scales.
// One buffer keeps the GRU's backward within 8 storage bindings, WebGPU's default limit.
@group(0) @binding(9) var<storage, read_write> dgates: array<f32>;
@group(0) @binding(10) var<storage, read> ds_in: array<f32>;
@group(0) @binding(11) var<storage, read_write> ds_out: array<f32>;
// Forward: W_hhᵀ [H, G·H] (transposed once per sequence), or an LSTM's sums [B, 4H] (PRODUCT =
// false); backward: W_hh [G·H, H].
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

// ---- LSTM -----------------------------------------------------------------------------------

// Both steps keep four running sums per batch row in a vec4 (the four gates of one unit in the
// forward, four units in the backward); on a CPU adapter its components are four registers.

/** The cell of batch row b, unit j, given its gates' recurrent sums h_prev·W_hhᵀ (i, f, g, o). */
fn lstm_cell_forward(b: u32, j: u32, a: vec4f) {
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
fn lstm_step_forward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
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
  lstm_cell_forward(first, j, a0);
  if (first + 1u < p.batch) { lstm_cell_forward(first + 1u, j, a1); }
  if (first + 2u < p.batch) { lstm_cell_forward(first + 2u, j, a2); }
  if (first + 3u < p.batch) { lstm_cell_forward(first + 3u, j, a3); }
}

// The gate derivatives of batch row b, unit j. ds_in holds (dh, dc) with respect to the state
// this step wrote, except for the recurrent term dGates_later·W_hh, computed by the caller
// (`later`); ds_out gets (dh, dc) for the state it read, again minus the recurrent term of this
// step's own dgates, which the next step taken adds.
fn lstm_cell_backward(b: u32, j: u32, later: f32) {
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

/** lstm_cell_backward for one batch row and the invocation's four units, given dh's recurrent sums. */
fn lstm_backward_units(b: u32, j: u32, a: vec4f) {
  lstm_cell_backward(b, j, a.x);
  if (j + WG < p.hidden) { lstm_cell_backward(b, j + WG, a.y); }
  if (j + 2u * WG < p.hidden) { lstm_cell_backward(b, j + 2u * WG, a.z); }
  if (j + 3u * WG < p.hidden) { lstm_cell_backward(b, j + 3u * WG, a.w); }
}

// The four running sums of the backward: dh's recurrent term for ROWS batch rows and 4 units.
struct LaterSums { a0: vec4f, a1: vec4f, a2: vec4f, a3: vec4f }

// The recurrent term of dh is the later step's dgates [B, G·H] times W_hh [G·H, H]: G·H products
// per row and unit, read from dgates at `later_off` (none on the first step taken). With one
// unit per invocation each uniform dgates load would feed one product per row; here each
// invocation takes 4 units (j, j + WG, j + 2 WG, j + 3 WG: consecutive across lanes for each),
// so a dgates load feeds 4 and a weight load 4 rows, like the forward's 4 gates.
fn later_sums(block: u32, j: u32, G: u32) -> LaterSums {
  let H = p.hidden;
  var s = LaterSums(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
  if (p.has_later == 0u) { return s; }
  let g = block_rows(block, p.later_off, G * H);
  // Units past H read column H - 1 (in bounds) and are never written.
  let j1 = min(j + WG, H - 1u);
  let j2 = min(j + 2u * WG, H - 1u);
  let j3 = min(j + 3u * WG, H - 1u);
  for (var k = 0u; k < G * H; k++) {
    let row = k * H;
    let wk = vec4f(w[row + j], w[row + j1], w[row + j2], w[row + j3]);
    s.a0 += dgates[g.x + k] * wk;
    s.a1 += dgates[g.y + k] * wk;
    s.a2 += dgates[g.z + k] * wk;
    s.a3 += dgates[g.w + k] * wk;
  }
  return s;
}

@compute @workgroup_size(WG)
fn lstm_step_backward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let j = wid.x * 4u * WG + lid;
  if (j >= p.hidden) { return; }
  let s = later_sums(wid.y, j, 4u);
  let first = wid.y * ROWS;
  lstm_backward_units(first, j, s.a0);
  if (first + 1u < p.batch) { lstm_backward_units(first + 1u, j, s.a1); }
  if (first + 2u < p.batch) { lstm_backward_units(first + 2u, j, s.a2); }
  if (first + 3u < p.batch) { lstm_backward_units(first + 3u, j, s.a3); }
}

// ---- GRU ------------------------------------------------------------------------------------

/** Batch row b, unit j, given the recurrent sums h_prev·W_hhᵀ of its three gates (r, z, n). */
fn gru_cell_forward(b: u32, j: u32, a: vec3f) {
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
fn gru_step_forward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let H = p.hidden;
  let j = wid.x * WG + lid;
  if (j >= H) { return; }
  let h = block_rows(wid.y, p.prev_off, H);
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
  let first = wid.y * ROWS;
  gru_cell_forward(first, j, a0);
  if (first + 1u < p.batch) { gru_cell_forward(first + 1u, j, a1); }
  if (first + 2u < p.batch) { gru_cell_forward(first + 2u, j, a2); }
  if (first + 3u < p.batch) { gru_cell_forward(first + 3u, j, a3); }
}

// The gate derivatives of batch row b, unit j, into both halves of dgates. ds_in holds dh with
// respect to the state this step wrote, except for the recurrent term (`later`, from
// later_sums); ds_out gets dh for the state it read, again minus the recurrent term of this
// step's own recurrent-sum gradients, which the next step taken adds.
fn gru_cell_backward(b: u32, j: u32, later: f32) {
  let H = p.hidden;
  let s = b * H + j;
  var dh = ds_in[p.ds_off + s] + later;
  let dx = p.xg_off + b * 3u * H + j;
  let dr = dx + p.rec_off;
  if (!live(b)) {
    // A padded step passed the state through unchanged, so its gradient passes through too.
    dgates[dx] = 0.0;
    dgates[dx + H] = 0.0;
    dgates[dx + 2u * H] = 0.0;
    dgates[dr] = 0.0;
    dgates[dr + H] = 0.0;
    dgates[dr + 2u * H] = 0.0;
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
  dgates[dx] = drr;
  dgates[dx + H] = dz;
  dgates[dx + 2u * H] = dn;
  dgates[dr] = drr;
  dgates[dr + H] = dz;
  dgates[dr + 2u * H] = dn * r;
  ds_out[s] = dh * z;
}

/** gru_cell_backward for one batch row and the invocation's four units. */
fn gru_backward_units(b: u32, j: u32, a: vec4f) {
  gru_cell_backward(b, j, a.x);
  if (j + WG < p.hidden) { gru_cell_backward(b, j + WG, a.y); }
  if (j + 2u * WG < p.hidden) { gru_cell_backward(b, j + 2u * WG, a.z); }
  if (j + 3u * WG < p.hidden) { gru_cell_backward(b, j + 3u * WG, a.w); }
}

@compute @workgroup_size(WG)
fn gru_step_backward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let j = wid.x * 4u * WG + lid;
  if (j >= p.hidden) { return; }
  let s = later_sums(wid.y, j, 3u);
  let first = wid.y * ROWS;
  gru_backward_units(first, j, s.a0);
  if (first + 1u < p.batch) { gru_backward_units(first + 1u, j, s.a1); }
  if (first + 2u < p.batch) { gru_backward_units(first + 2u, j, s.a2); }
  if (first + 3u < p.batch) { gru_backward_units(first + 3u, j, s.a3); }
}
