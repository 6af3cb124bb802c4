// Dispatch for shaders/pool.wgsl.
import type { Pool2dSpec } from '../../cnnSpecs.js';
import type { Binding, GpuHandle, GpuRuntime } from '../runtime.js';
import { grid2d, WG } from './common.js';
import { allocOutput } from './outputs.js';

const outShape = (s: Pool2dSpec) => [s.batch, s.channels, s.outH, s.outW];
const inShape = (s: Pool2dSpec) => [s.batch, s.channels, s.inH, s.inW];

/** One invocation per element of `result` (the output forward, the input gradient backward),
 *  or per `invocations` when given. */
function run(
  rt: GpuRuntime, entry: string, s: Pool2dSpec, src: GpuHandle, result: GpuHandle, argmax: Readonly<Record<string, Binding>> = {},
  invocations = result.size, overrides: Record<string, number> = {},
): void {
  const params = rt.constant(Uint32Array.from([
    s.batch * s.channels, s.inH, s.inW, s.outH, s.outW, s.kH, s.kW, s.strideH, s.strideW, s.padH, s.padW, s.dilH,
    s.dilW, s.divisorOverride, 0, 0,
  ]));
  rt.dispatch(
    { shader: 'pool', entry, overrides: { WG, COUNT_PAD: s.countIncludePad ? 1 : 0, ADAPTIVE: s.adaptive ? 1 : 0, ...overrides } },
    { x: src, out: result, p: params, ...argmax },
    grid2d(Math.max(1, Math.ceil(invocations / WG))),
  );
}

/** Windows tile the input: stride = kernel, no padding or dilation (PyTorch's default stride),
 *  and every window whole (ceil mode can add a partial last one). */
const tiles = (s: Pool2dSpec) => !s.adaptive && s.strideH === s.kH && s.strideW === s.kW && s.padH === 0 && s.padW === 0 &&
  s.dilH === 1 && s.dilW === 1 && s.outH * s.kH <= s.inH && s.outW * s.kW <= s.inW;

export function maxPool2d(rt: GpuRuntime, x: GpuHandle, s: Pool2dSpec, withArgmax: boolean): [GpuHandle, GpuHandle | null] {
  const out = allocOutput(rt, 'maxPool2d', 'output', outShape(s));
  // Windows that tile the input take kernels whose plane sizes are pipeline constants (see
  // tiled_window_max): one pipeline per shape, which training loops repeat.
  const tiled = tiles(s);
  const overrides: Record<string, number> = tiled ? { KH: s.kH, KW: s.kW, TOH: s.outH, TOW: s.outW, TH: s.inH, TW: s.inW } : {};
  const suffix = tiled ? '_tiled' : '';
  if (!withArgmax) {
    run(rt, `max_values${suffix}`, s, x, out, {}, out.size, overrides);
    return [out, null];
  }
  const argmax = allocOutput(rt, 'maxPool2d', 'arg-max', outShape(s), 'int32');
  run(rt, `max_forward${suffix}`, s, x, out, { argmax_out: argmax }, out.size, overrides);
  return [out, argmax];
}

export function maxPool2dBackward(rt: GpuRuntime, dy: GpuHandle, argmax: GpuHandle, s: Pool2dSpec): GpuHandle {
  const dx = allocOutput(rt, 'maxPool2d backward', 'input gradient', inShape(s));
  if (tiles(s)) {
    // Windows tile the input: one invocation per window cell (see max_backward_tiled).
    const cells = s.batch * s.channels * Math.ceil(s.inH / s.kH) * Math.ceil(s.inW / s.kW);
    run(rt, 'max_backward_tiled', s, dy, dx, { argmax_in: argmax }, cells, { KH: s.kH, KW: s.kW });
  } else {
    run(rt, 'max_backward', s, dy, dx, { argmax_in: argmax });
  }
  return dx;
}

export function avgPool2d(rt: GpuRuntime, x: GpuHandle, s: Pool2dSpec): GpuHandle {
  const out = allocOutput(rt, 'avgPool2d', 'output', outShape(s));
  run(rt, 'avg_forward', s, x, out);
  return out;
}

export function avgPool2dBackward(rt: GpuRuntime, dy: GpuHandle, s: Pool2dSpec): GpuHandle {
  const dx = allocOutput(rt, 'avgPool2d backward', 'input gradient', inShape(s));
  run(rt, 'avg_backward', s, dy, dx);
  return dx;
}
