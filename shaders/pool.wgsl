// 2-D max and average pooling, NCHW, one invocation per output (forward) or per input element
// (backward). The backward kernels gather rather than scatter: each input element visits the
// few windows that cover it, so no two invocations write one address and no atomics are needed.
// Windows follow PyTorch with ceil_mode off: window (oh, ow) starts at (oh*sH - pH, ow*sW - pW)
// and is clipped to the input; padding never wins a max and counts toward an average's divisor
// only when COUNT_PAD=1.

override WG: u32 = 64u;
override COUNT_PAD: u32 = 0u;
// The window of the *_tiled kernels, as constants so their loops unroll.
override KH: u32 = 2u;
override KW: u32 = 2u;
// max_*_tiled: the output and input plane sizes, as constants, so that decoding an output's
// position divides by constants (a multiply and a shift) rather than by runtime values, which
// lavapipe runs lane by lane.
override TOH: u32 = 1u;
override TOW: u32 = 1u;
override TH: u32 = 1u;
override TW: u32 = 1u;

struct Params {
  planes: u32, H: u32, W: u32, OH: u32,
  OW: u32, kH: u32, kW: u32, sH: u32,
  sW: u32, pH: u32, pW: u32, _pad: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;          // x (forward) or dy (backward)
@group(0) @binding(1) var<storage, read_write> out: array<f32>;  // y (forward) or dx (backward)
@group(0) @binding(2) var<uniform> p: Params;
@group(0) @binding(3) var<storage, read_write> argmax_out: array<i32>;
@group(0) @binding(4) var<storage, read> argmax_in: array<i32>;

fn invocation(wid: vec3u, nwg: vec3u, lid: u32) -> u32 { return (wid.y * nwg.x + wid.x) * WG + lid; }

struct Span { lo: u32, hi: u32 }

/** Input rows (or columns) [lo, hi) of window o, clipped to [0, size). */
fn window(o: u32, s: u32, pad: u32, k: u32, size: u32) -> Span {
  let start = i32(o * s) - i32(pad);
  return Span(u32(max(start, 0)), u32(min(start + i32(k), i32(size))));
}

/** Windows [lo, hi) along one axis that cover input index i. */
fn covering(i: u32, s: u32, pad: u32, k: u32, outSize: u32) -> Span {
  let first = i32(i + pad) - i32(k) + 1;
  let lo = select(0u, u32((first + i32(s) - 1) / i32(s)), first > 0);
  return Span(lo, min((i + pad) / s + 1u, outSize));
}

fn divisor(hs: Span, ws: Span) -> f32 {
  if (COUNT_PAD == 1u) { return f32(p.kH * p.kW); }
  return f32((hs.hi - hs.lo) * (ws.hi - ws.lo));
}

/** Output o's input plane and the clipped rows and columns of its window. */
struct OutWindow { base: u32, hs: Span, ws: Span }

fn out_window(o: u32) -> OutWindow {
  let ow = o % p.OW;
  let oh = (o / p.OW) % p.OH;
  return OutWindow((o / (p.OW * p.OH)) * p.H * p.W, window(oh, p.sH, p.pH, p.kH, p.H), window(ow, p.sW, p.pW, p.kW, p.W));
}

/** Input element i's offset in its plane, its output plane, and the windows that cover it. */
struct Cover { at: u32, obase: u32, hs: Span, ws: Span }

fn cover(i: u32) -> Cover {
  let iw = i % p.W;
  let ih = (i / p.W) % p.H;
  return Cover(ih * p.W + iw, (i / (p.W * p.H)) * p.OH * p.OW,
               covering(ih, p.sH, p.pH, p.kH, p.OH), covering(iw, p.sW, p.pW, p.kW, p.OW));
}

/** The maximum of output o's window and its index in the input plane. */
struct MaxAt { best: f32, at: i32 }

fn window_max(o: u32) -> MaxAt {
  let w = out_window(o);
  var m = MaxAt(-3.402823e38, -1);
  for (var ih = w.hs.lo; ih < w.hs.hi; ih++) {
    for (var iw = w.ws.lo; iw < w.ws.hi; iw++) {
      let v = x[w.base + ih * p.W + iw];
      // Strict '>' in row-major order: the first index wins on ties, as in PyTorch.
      if (v > m.best || m.at < 0) { m = MaxAt(v, i32(ih * p.W + iw)); }
    }
  }
  return m;
}

// Values and the arg-max the backward needs.
@compute @workgroup_size(WG)
fn max_forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
               @builtin(local_invocation_index) lid: u32) {
  let o = invocation(wid, nwg, lid);
  if (o >= p.planes * p.OH * p.OW) { return; }
  let m = window_max(o);
  out[o] = m.best;
  argmax_out[o] = m.at;
}

// Values only, when no gradient will be asked for (inference, noGrad): a quarter less traffic.
@compute @workgroup_size(WG)
fn max_values(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
              @builtin(local_invocation_index) lid: u32) {
  let o = invocation(wid, nwg, lid);
  if (o >= p.planes * p.OH * p.OW) { return; }
  out[o] = window_max(o).best;
}

// window_max when the windows tile the input (stride = kernel, no padding), so every window
// lies inside the plane: no clipping, and loops of constant length.
fn tiled_window_max(o: u32) -> MaxAt {
  let ow = o % TOW;
  let rest = o / TOW;
  let oh = rest % TOH;
  let first = oh * KH * TW + ow * KW; // the window's first element, in its plane
  let base = (rest / TOH) * TH * TW;
  var m = MaxAt(x[base + first], i32(first));
  for (var dh = 0u; dh < KH; dh++) {
    for (var dw = 0u; dw < KW; dw++) {
      let i = first + dh * TW + dw;
      let v = x[base + i];
      // Strict '>' in row-major order: the first index wins on ties, as in window_max.
      if (v > m.best) { m = MaxAt(v, i32(i)); }
    }
  }
  return m;
}

// max_forward and max_values for windows that tile the input.
@compute @workgroup_size(WG)
fn max_forward_tiled(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                     @builtin(local_invocation_index) lid: u32) {
  let o = invocation(wid, nwg, lid);
  if (o >= p.planes * TOH * TOW) { return; }
  let m = tiled_window_max(o);
  out[o] = m.best;
  argmax_out[o] = m.at;
}

@compute @workgroup_size(WG)
fn max_values_tiled(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                    @builtin(local_invocation_index) lid: u32) {
  let o = invocation(wid, nwg, lid);
  if (o >= p.planes * TOH * TOW) { return; }
  out[o] = tiled_window_max(o).best;
}

@compute @workgroup_size(WG)
fn max_backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                @builtin(local_invocation_index) lid: u32) {
  let i = invocation(wid, nwg, lid);
  if (i >= p.planes * p.H * p.W) { return; }
  let c = cover(i);
  var g = 0.0;
  for (var oh = c.hs.lo; oh < c.hs.hi; oh++) {
    for (var ow = c.ws.lo; ow < c.ws.hi; ow++) {
      let o = c.obase + oh * p.OW + ow;
      if (argmax_in[o] == i32(c.at)) { g += x[o]; }
    }
  }
  out[i] = g;
}

// max_backward when the windows tile the input (stride = kernel, no padding: PyTorch's default
// stride). One invocation per window writes the gradient of its whole cell, so it decodes its
// position once per KH*KW elements instead of once per element: lavapipe runs each integer
// division by a runtime value lane by lane, and those divisions cost max_backward more than its
// memory traffic. Cells past the last window (the last H % KH rows, W % KW columns) get zeros.
@compute @workgroup_size(WG)
fn max_backward_tiled(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                      @builtin(local_invocation_index) lid: u32) {
  let cell = invocation(wid, nwg, lid);
  let cellsW = (p.W + KW - 1u) / KW;
  let perPlane = ((p.H + KH - 1u) / KH) * cellsW;
  if (cell >= p.planes * perPlane) { return; }
  let plane = cell / perPlane;
  let ch = (cell - plane * perPlane) / cellsW;
  let cw = cell - plane * perPlane - ch * cellsW;
  var g = 0.0;
  var at = -1;
  if (ch < p.OH && cw < p.OW) {
    let o = (plane * p.OH + ch) * p.OW + cw;
    g = x[o];
    at = argmax_in[o];
  }
  let base = plane * p.H * p.W;
  for (var dh = 0u; dh < KH; dh++) {
    let ih = ch * KH + dh;
    for (var dw = 0u; dw < KW; dw++) {
      let iw = cw * KW + dw;
      if (ih < p.H && iw < p.W) {
        let at_here = ih * p.W + iw;
        out[base + at_here] = select(0.0, g, i32(at_here) == at);
      }
    }
  }
}

@compute @workgroup_size(WG)
fn avg_forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
               @builtin(local_invocation_index) lid: u32) {
  let o = invocation(wid, nwg, lid);
  if (o >= p.planes * p.OH * p.OW) { return; }
  let w = out_window(o);
  var sum = 0.0;
  for (var ih = w.hs.lo; ih < w.hs.hi; ih++) {
    for (var iw = w.ws.lo; iw < w.ws.hi; iw++) { sum += x[w.base + ih * p.W + iw]; }
  }
  out[o] = sum / divisor(w.hs, w.ws);
}

@compute @workgroup_size(WG)
fn avg_backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                @builtin(local_invocation_index) lid: u32) {
  let i = invocation(wid, nwg, lid);
  if (i >= p.planes * p.H * p.W) { return; }
  let c = cover(i);
  var g = 0.0;
  for (var oh = c.hs.lo; oh < c.hs.hi; oh++) {
    let wh = window(oh, p.sH, p.pH, p.kH, p.H);
    for (var ow = c.ws.lo; ow < c.ws.hi; ow++) {
      g += x[c.obase + oh * p.OW + ow] / divisor(wh, window(ow, p.sW, p.pW, p.kW, p.W));
    }
  }
  out[i] = g;
}
