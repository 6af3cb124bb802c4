// conv2d (NCHW, weight [K, C/groups, kH, kW]) and its two backward kernels as implicit GEMMs:
// the im2col matrix is never stored; each invocation gathers the input elements its products
// need straight from x (or dy), skipping taps that fall in the padding.
// Every entry gives one invocation a register block of the GEMM: 16 output channels x 8 pixels
// (`forward`), 16 input channels x 8 pixels (`backward_input`), 16 output channels x 4 weight
// taps (`backward_weight`).
// On software Vulkan (lavapipe) this register blocking over 1-D workgroups beat
// workgroup-memory tiling, and it needs no barriers. Invocations are numbered with the column
// tile fastest so that neighbours read neighbouring pixels.

override WG: u32 = 64u;
override HAS_BIAS: u32 = 0u;
override UNIT_STRIDE: u32 = 0u; // backward_input: 1 when both strides are 1
// Register-block sizes, in the dispatcher too (kernels/conv2d.ts). Each load then feeds many
// FMAs (loads are per-lane gathers on a CPU adapter and cost far more than FMAs); rows a
// narrow layer (depthwise: one channel per group) leaves unused are skipped, not computed.
const TILE: u32 = 4u;   // one vec4 of pixels (forward, backward_input) or of taps (backward_weight)
const PX: u32 = 2u;     // pixel vec4s per invocation (forward, backward_input)
const FROWS: u32 = 16u; // output channels per invocation (forward)
const BROWS: u32 = 16u; // input channels per invocation (backward_input)
const WROWS: u32 = 16u; // output channels per invocation (backward_weight)

struct Params {
  N: u32, C: u32, H: u32, W: u32,
  K: u32, OH: u32, OW: u32, groups: u32,
  kH: u32, kW: u32, sH: u32, sW: u32,
  pH: u32, pW: u32, dH: u32, dW: u32,
  // backward_weight only: pixels per split-K slice and the number of slices.
  chunk: u32, splits: u32, _p0: u32, _p1: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;      // x (forward, weight grad) or dy (input grad)
@group(0) @binding(1) var<storage, read> b: array<f32>;      // weight (forward, input grad) or dy (weight grad)
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;
@group(0) @binding(4) var<storage, read> bias: array<f32>;

fn invocation(wid: vec3u, nwg: vec3u, lid: u32) -> u32 { return (wid.y * nwg.x + wid.x) * WG + lid; }

fn in_plane(h: i32, w: i32, H: u32, W: u32) -> bool {
  return h >= 0 && w >= 0 && h < i32(H) && w < i32(W);
}

/** Invocation t's (column tile, row tile, group, 1 if in range) of a per-group GEMM with `cols`
 *  columns and `rows` rows, in tiles of `width` columns and `height` rows, column tiles fastest. */
fn gemm_tile(t: u32, cols: u32, rows: u32, width: u32, height: u32) -> vec4u {
  let ctiles = (cols + width - 1u) / width;
  let rtiles = (rows + height - 1u) / height;
  return vec4u(t % ctiles, (t / ctiles) % rtiles, t / (ctiles * rtiles), select(0u, 1u, t < ctiles * rtiles * p.groups));
}

/** Column, row and image of 4 consecutive pixels of a [images, rows, cols] grid from `first`;
 *  past `total` the last pixel repeats (computed, never stored). Integer division is scalarised
 *  per lane on CPU-backed adapters, so it is done once here and the pixels are stepped. */
struct Pixels { col: vec4u, row: vec4u, img: vec4u }

fn pixels(first: u32, total: u32, cols: u32, rows: u32) -> Pixels {
  var r: Pixels;
  var c = first % cols;
  var y = (first / cols) % rows;
  var n = first / (cols * rows);
  for (var j = 0u; j < TILE; j++) {
    r.col[j] = c;
    r.row[j] = y;
    r.img[j] = n;
    if (first + j + 1u < total) {
      c++;
      if (c == cols) { c = 0u; y++; if (y == rows) { y = 0u; n++; } }
    }
  }
  return r;
}

/** PX vec4s of `a` at idx + off, zero where !ok. */
fn gather(idx: array<vec4u, PX>, ok: array<vec4<bool>, PX>, off: u32) -> array<vec4f, PX> {
  var v: array<vec4f, PX>;
  for (var h = 0u; h < PX; h++) {
    let q = idx[h] + vec4u(off);
    v[h] = select(vec4f(0.0), vec4f(a[q.x], a[q.y], a[q.z], a[q.w]), ok[h]);
  }
  return v;
}

/** forward's products of one input channel: acc[h * FROWS + i] += weight row i * xv[h] for the
 *  first `rows` rows. The loop runs to the constant FROWS with a check, not to `rows`, so that
 *  acc is indexed by constants once unrolled and stays in registers. */
fn add_rows(acc: ptr<function, array<vec4f, FROWS * PX>>, xv: array<vec4f, PX>, wrow: array<u32, FROWS>,
            woff: u32, rows: u32) {
  for (var i = 0u; i < FROWS; i++) {
    if (i < rows) {
      let wv = b[wrow[i] + woff];
      for (var h = 0u; h < PX; h++) { (*acc)[h * FROWS + i] += wv * xv[h]; }
    }
  }
}

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(local_invocation_index) lid: u32) {
  let Cg = p.C / p.groups;
  let Kg = p.K / p.groups;
  let P = p.N * p.OH * p.OW;
  let tile = gemm_tile(invocation(wid, nwg, lid), P, Kg, TILE * PX, FROWS);
  if (tile.w == 0u) { return; }
  let pt = tile.x;
  let mt = tile.y;
  let g = tile.z;
  let HW = p.H * p.W;
  let taps = p.kH * p.kW;

  // Per pixel column: top-left input coordinate of its window and its image's group base.
  // Pixels past the end repeat the last one; they are computed but never stored.
  let plane = p.OH * p.OW;
  var ih0: array<vec4i, PX>;
  var iw0: array<vec4i, PX>;
  var xbase: array<vec4u, PX>;
  var obase: array<vec4u, PX>;
  for (var h = 0u; h < PX; h++) {
    let px = pixels(min(pt * TILE * PX + h * TILE, P - 1u), P, p.OW, p.OH);
    ih0[h] = vec4i(px.row * p.sH) - vec4i(i32(p.pH));
    iw0[h] = vec4i(px.col * p.sW) - vec4i(i32(p.pW));
    xbase[h] = (px.img * p.C + g * Cg) * HW;
    obase[h] = px.img * p.K * plane + px.row * p.OW + px.col;
  }
  var wrow: array<u32, FROWS>;
  for (var i = 0u; i < FROWS; i++) { wrow[i] = (g * Kg + min(mt * FROWS + i, Kg - 1u)) * Cg * taps; }
  // Rows of this tile that exist: a narrow layer (depthwise, a 1-channel input) skips the rest.
  let live = min(FROWS, Kg - mt * FROWS);

  // Taps outermost: whether a tap lands in the padding does not depend on the channel, so the
  // bounds are checked once per tap and the channel loop inside is branch-free.
  var acc: array<vec4f, FROWS * PX>; // acc[h * FROWS + i]: row i, pixels 4h .. 4h + 3
  for (var kh = 0u; kh < p.kH; kh++) {
    for (var kw = 0u; kw < p.kW; kw++) {
      var idx: array<vec4u, PX>;
      var ok: array<vec4<bool>, PX>;
      for (var h = 0u; h < PX; h++) {
        let ih = ih0[h] + vec4i(i32(kh * p.dH));
        let iw = iw0[h] + vec4i(i32(kw * p.dW));
        for (var j = 0u; j < TILE; j++) {
          ok[h][j] = in_plane(ih[j], iw[j], p.H, p.W);
          // An out-of-plane tap reads a harmless in-bounds element and discards it.
          idx[h][j] = select(0u, xbase[h][j] + u32(ih[j]) * p.W + u32(iw[j]), ok[h][j]);
        }
      }
      var woff = kh * p.kW + kw;
      var xoff = 0u;
      // A full tile passes the constant FROWS, so its per-row check folds away (it costs ~15%).
      if (live == FROWS) {
        for (var c = 0u; c < Cg; c++) {
          add_rows(&acc, gather(idx, ok, xoff), wrow, woff, FROWS);
          xoff += HW;
          woff += taps;
        }
      } else {
        for (var c = 0u; c < Cg; c++) {
          add_rows(&acc, gather(idx, ok, xoff), wrow, woff, live);
          xoff += HW;
          woff += taps;
        }
      }
    }
  }

  for (var i = 0u; i < FROWS; i++) {
    let m = mt * FROWS + i;
    if (m >= Kg) { break; }
    let co = g * Kg + m;
    var bv = 0.0;
    if (HAS_BIAS == 1u) { bv = bias[co]; }
    for (var h = 0u; h < PX; h++) {
      let v = acc[h * FROWS + i] + vec4f(bv);
      for (var j = 0u; j < TILE; j++) {
        if (pt * TILE * PX + h * TILE + j < P) { out[obase[h][j] + co * plane] = v[j]; }
      }
    }
  }
}

// dx[n, ci, ih, iw] = sum over (co, kh, kw) of dy[n, co, oh, ow] * w[co, ci, kh, kw] where
// ih = oh * sH - pH + kh * dH: only taps whose (ih + pH - kh * dH) is a multiple of the stride
// and lands inside dy contribute. a = dy, b = weight, out = dx.
@compute @workgroup_size(WG)
fn backward_input(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                  @builtin(local_invocation_index) lid: u32) {
  let Cg = p.C / p.groups;
  let Kg = p.K / p.groups;
  let P = p.N * p.H * p.W;
  let tile = gemm_tile(invocation(wid, nwg, lid), P, Cg, TILE * PX, BROWS);
  if (tile.w == 0u) { return; }
  let pt = tile.x;
  let mt = tile.y;
  let g = tile.z;
  let plane = p.OH * p.OW;
  let taps = p.kH * p.kW;

  let HW = p.H * p.W;
  var hn: array<vec4i, PX>; // ih + pH
  var wn: array<vec4i, PX>; // iw + pW
  var dybase: array<vec4u, PX>;
  var obase: array<vec4u, PX>;
  for (var h = 0u; h < PX; h++) {
    let px = pixels(min(pt * TILE * PX + h * TILE, P - 1u), P, p.W, p.H);
    hn[h] = vec4i(px.row + vec4u(p.pH));
    wn[h] = vec4i(px.col + vec4u(p.pW));
    dybase[h] = (px.img * p.K + g * Kg) * plane;
    obase[h] = px.img * p.C * HW + px.row * p.W + px.col;
  }
  var wcol: array<u32, BROWS>;
  for (var i = 0u; i < BROWS; i++) { wcol[i] = min(mt * BROWS + i, Cg - 1u) * taps; }
  let live = min(BROWS, Cg - mt * BROWS); // as in `forward`

  let sH = i32(p.sH);
  let sW = i32(p.sW);
  // Taps outermost, as in `forward`: which output pixel a tap reaches (if any) does not depend
  // on the output channel, so the index arithmetic runs once per tap.
  var acc: array<vec4f, BROWS * PX>; // acc[h * BROWS + i]: channel i, pixels 4h .. 4h + 3
  for (var kh = 0u; kh < p.kH; kh++) {
    for (var kw = 0u; kw < p.kW; kw++) {
      var idx: array<vec4u, PX>;
      var ok: array<vec4<bool>, PX>;
      for (var h = 0u; h < PX; h++) {
        let ohs = hn[h] - vec4i(i32(kh * p.dH));
        let ows = wn[h] - vec4i(i32(kw * p.dW));
        for (var j = 0u; j < TILE; j++) {
          // A negative numerator has no output pixel; test it before '%' (which keeps the sign).
          var hit = ohs[j] >= 0 && ows[j] >= 0;
          var oh = ohs[j];
          var ow = ows[j];
          // Integer division is slow on CPU-backed adapters; at stride 1 it is skipped entirely.
          if (UNIT_STRIDE == 0u) {
            hit = hit && ohs[j] % sH == 0 && ows[j] % sW == 0;
            oh = ohs[j] / sH;
            ow = ows[j] / sW;
          }
          ok[h][j] = hit && oh < i32(p.OH) && ow < i32(p.OW);
          idx[h][j] = select(0u, dybase[h][j] + u32(oh) * p.OW + u32(ow), ok[h][j]);
        }
      }
      var woff = g * Kg * Cg * taps + kh * p.kW + kw;
      var dyoff = 0u;
      for (var m = 0u; m < Kg; m++) {
        let dv = gather(idx, ok, dyoff);
        for (var i = 0u; i < BROWS; i++) {
          if (i < live) {
            let wv = b[woff + wcol[i]];
            for (var h = 0u; h < PX; h++) { acc[h * BROWS + i] += wv * dv[h]; }
          }
        }
        dyoff += plane;
        woff += Cg * taps;
      }
    }
  }

  for (var i = 0u; i < BROWS; i++) {
    let c = mt * BROWS + i;
    if (c >= Cg) { break; }
    for (var h = 0u; h < PX; h++) {
      for (var j = 0u; j < TILE; j++) {
        if (pt * TILE * PX + h * TILE + j < P) { out[obase[h][j] + (g * Cg + c) * HW] = acc[h * BROWS + i][j]; }
      }
    }
  }
}

// dw[co, c, kh, kw] = sum over pixels (n, oh, ow) of dy[n, co, oh, ow] * x[n, g*Cg + c, ih, iw].
// The pixel sum is long (batch * OH * OW) while dw is small, so it is split into `splits`
// slices of `chunk` pixels written to out[slice][dw index] and summed by the caller; this
// keeps enough invocations busy. a = x, b = dy.
@compute @workgroup_size(WG)
fn backward_weight(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                   @builtin(local_invocation_index) lid: u32) {
  let Cg = p.C / p.groups;
  let Kg = p.K / p.groups;
  let taps = p.kH * p.kW;
  let cols = Cg * taps;
  let ctiles = (cols + TILE - 1u) / TILE;
  let mtiles = (Kg + WROWS - 1u) / WROWS;
  let t = invocation(wid, nwg, lid);
  let per_slice = ctiles * mtiles * p.groups;
  if (t >= per_slice * p.splits) { return; }
  let ct = t % ctiles;
  let mt = (t / ctiles) % mtiles;
  let g = (t / (ctiles * mtiles)) % p.groups;
  let slice = t / per_slice;
  let HW = p.H * p.W;
  let plane = p.OH * p.OW;

  // Per weight column (c, kh, kw): its channel's offset within an image and its tap offsets.
  var coff: vec4u;
  var dh: vec4i;
  var dw: vec4i;
  for (var j = 0u; j < TILE; j++) {
    let col = min(ct * TILE + j, cols - 1u);
    let kw = col % p.kW;
    let kh = (col / p.kW) % p.kH;
    let c = col / taps;
    coff[j] = (g * Cg + c) * HW;
    dh[j] = i32(kh * p.dH) - i32(p.pH);
    dw[j] = i32(kw * p.dW) - i32(p.pW);
  }
  var dyrow: array<u32, WROWS>;
  for (var i = 0u; i < WROWS; i++) { dyrow[i] = (g * Kg + min(mt * WROWS + i, Kg - 1u)) * plane; }
  let live = min(WROWS, Kg - mt * WROWS); // as in `forward`

  let P = p.N * plane;
  let start = slice * p.chunk;
  let stop = min(P, start + p.chunk);
  var acc: array<vec4f, WROWS>;
  if (start < stop) {
    // Walk (n, oh, ow) incrementally: one division per slice instead of three per pixel.
    var ow = start % p.OW;
    var oh = (start / p.OW) % p.OH;
    var n = start / plane;
    for (var pix = start; pix < stop; pix++) {
      let ih = vec4i(i32(oh * p.sH)) + dh;
      let iw = vec4i(i32(ow * p.sW)) + dw;
      let xb = n * p.C * HW;
      var q: vec4u;
      var ok: vec4<bool>;
      for (var j = 0u; j < TILE; j++) {
        ok[j] = in_plane(ih[j], iw[j], p.H, p.W);
        q[j] = select(0u, xb + coff[j] + u32(ih[j]) * p.W + u32(iw[j]), ok[j]);
      }
      let xv = select(vec4f(0.0), vec4f(a[q.x], a[q.y], a[q.z], a[q.w]), ok);
      let dyoff = n * p.K * plane + oh * p.OW + ow;
      if (live == WROWS) {
        for (var i = 0u; i < WROWS; i++) { acc[i] += b[dyoff + dyrow[i]] * xv; }
      } else {
        for (var i = 0u; i < WROWS; i++) {
          if (i < live) { acc[i] += b[dyoff + dyrow[i]] * xv; }
        }
      }
      ow++;
      if (ow == p.OW) {
        ow = 0u;
        oh++;
        if (oh == p.OH) { oh = 0u; n++; }
      }
    }
  }

  let wsize = p.K * cols;
  for (var i = 0u; i < WROWS; i++) {
    let m = mt * WROWS + i;
    if (m >= Kg) { break; }
    for (var j = 0u; j < TILE; j++) {
      let col = ct * TILE + j;
      if (col < cols) { out[slice * wsize + (g * Kg + m) * cols + col] = acc[i][j]; }
    }
  }
}
