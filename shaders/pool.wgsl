// 2-D max and average pooling, NCHW, one invocation per output (forward) or per input element
// (backward). The backward kernels gather rather than scatter: each input element visits the
// few windows that cover it, so no two invocations write one address and no atomics are needed.
// Windows follow PyTorch (see Pool2dSpec in src/backend/cnnSpecs.ts): window (oh, ow) starts at
// (oh*sH - pH, ow*sW - pW) and takes every dH-th row (dW-th column) of its kH x kW taps that lies
// in the input; padding never wins a max. An average divides by the window clipped to the padded
// input when COUNT_PAD=1 (ceil mode's last window can be shorter), else by the taps it covers.
// ADAPTIVE=1 replaces the windows by PyTorch's adaptive bins: output o of an axis of n inputs
// and m outputs covers [floor(o*n/m), ceil((o+1)*n/m)).

override WG: u32 = 64u;
override COUNT_PAD: u32 = 0u;
override ADAPTIVE: u32 = 0u;
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
  sW: u32, pH: u32, pW: u32, dH: u32,
  dW: u32, divisor: u32, _p1: u32, _p2: u32,  // divisor: avgPool2d's divisorOverride, 0 if none
}

@group(0) @binding(0) var<storage, read> x: array<f32>;          // x (forward) or dy (backward)
@group(0) @binding(1) var<storage, read_write> out: array<f32>;  // y (forward) or dx (backward)
@group(0) @binding(2) var<uniform> p: Params;
@group(0) @binding(3) var<storage, read_write> argmax_out: array<i32>;
@group(0) @binding(4) var<storage, read> argmax_in: array<i32>;

fn invocation(wid: vec3u, nwg: vec3u, lid: u32) -> u32 { return (wid.y * nwg.x + wid.x) * WG + lid; }

/** One axis of a pool: input size, output size, kernel, stride, padding, dilation. */
struct Axis { size: u32, out: u32, k: u32, s: u32, pad: u32, d: u32 }

fn rows() -> Axis { return Axis(p.H, p.OH, p.kH, p.sH, p.pH, p.dH); }
fn cols() -> Axis { return Axis(p.W, p.OW, p.kW, p.sW, p.pW, p.dW); }

/** Input indices lo, lo + step, ... below hi of window o's taps, and the window's extent in
 *  the padded input (the COUNT_PAD divisor). */
struct Taps { lo: u32, hi: u32, step: u32, extent: u32 }

fn taps(o: u32, a: Axis) -> Taps {
  if (ADAPTIVE == 1u) {
    let lo = o * a.size / a.out;
    let hi = ((o + 1u) * a.size + a.out - 1u) / a.out;
    return Taps(lo, hi, 1u, hi - lo);
  }
  let start = i32(o * a.s) - i32(a.pad);
  // The first tap at or after 0: taps before it fall in the padding.
  var first = start;
  if (start < 0) { first = start + ((-start + i32(a.d) - 1) / i32(a.d)) * i32(a.d); }
  let hi = min(start + i32((a.k - 1u) * a.d + 1u), i32(a.size));
  let extent = min(start + i32(a.k), i32(a.size + a.pad)) - start;
  return Taps(u32(first), u32(max(hi, first)), a.d, u32(extent));
}

/** Windows [lo, hi) along one axis that may cover input index i (all of them do when the
 *  dilation is 1; with a larger one max_backward's arg-max test decides). */
struct Span { lo: u32, hi: u32 }

fn covering(i: u32, a: Axis) -> Span {
  if (ADAPTIVE == 1u) {
    return Span(i * a.out / a.size, min(((i + 1u) * a.out + a.size - 1u) / a.size, a.out));
  }
  let first = i32(i + a.pad) - i32((a.k - 1u) * a.d);
  let lo = select(0u, u32((first + i32(a.s) - 1) / i32(a.s)), first > 0);
  return Span(lo, min((i + a.pad) / a.s + 1u, a.out));
}

fn divisor(hs: Taps, ws: Taps) -> f32 {
  if (p.divisor != 0u) { return f32(p.divisor); }
  if (COUNT_PAD == 1u && ADAPTIVE == 0u) { return f32(hs.extent * ws.extent); }
  return f32((hs.hi - hs.lo) * (ws.hi - ws.lo));
}

/** Output o's input plane and the taps of its window. */
struct OutWindow { base: u32, hs: Taps, ws: Taps }

fn out_window(o: u32) -> OutWindow {
  let ow = o % p.OW;
  let oh = (o / p.OW) % p.OH;
  return OutWindow((o / (p.OW * p.OH)) * p.H * p.W, taps(oh, rows()), taps(ow, cols()));
}

/** Input element i's offset in its plane, its output plane, and the windows that cover it. */
struct Cover { at: u32, obase: u32, hs: Span, ws: Span }

fn cover(i: u32) -> Cover {
  let iw = i % p.W;
  let ih = (i / p.W) % p.H;
  return Cover(ih * p.W + iw, (i / (p.W * p.H)) * p.OH * p.OW, covering(ih, rows()), covering(iw, cols()));
}

/** The maximum of output o's window and its index in the input plane. */
struct MaxAt { best: f32, at: i32 }

fn window_max(o: u32) -> MaxAt {
  let w = out_window(o);
  // -Infinity for a window with no tap in the input (dilation can skip them all). WGSL has no
  // infinite constant and refuses one made by a constant expression, so it is made at run time.
  var neg_inf_bits = 0xff800000u;
  var m = MaxAt(bitcast<f32>(neg_inf_bits), -1);
  for (var ih = w.hs.lo; ih < w.hs.hi; ih += w.hs.step) {
    for (var iw = w.ws.lo; iw < w.ws.hi; iw += w.ws.step) {
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
    let wh = taps(oh, rows());
    for (var ow = c.ws.lo; ow < c.ws.hi; ow++) {
      g += x[c.obase + oh * p.OW + ow] / divisor(wh, taps(ow, cols()));
    }
  }
  out[i] = g;
}
