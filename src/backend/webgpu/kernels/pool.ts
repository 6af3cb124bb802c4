// Dispatch for shaders/pool.wgsl.
import type { Pool2dSpec } from '../../cnnSpecs.js';
import type { GpuHandle, GpuRuntime } from '../runtime.js';
import { grid2d, WG } from './common.js';
import { allocOutput } from './outputs.js';

function params(s: Pool2dSpec): Uint32Array {
  return Uint32Array.from([
    s.batch * s.channels, s.inH, s.inW, s.outH, s.outW, s.kH, s.kW, s.strideH, s.strideW, s.padH, s.padW, 0,
  ]);
}

const outShape = (s: Pool2dSpec) => [s.batch, s.channels, s.outH, s.outW];
const inShape = (s: Pool2dSpec) => [s.batch, s.channels, s.inH, s.inW];
const outSize = (s: Pool2dSpec) => s.batch * s.channels * s.outH * s.outW;
const inSize = (s: Pool2dSpec) => s.batch * s.channels * s.inH * s.inW;
const groups = (n: number) => grid2d(Math.max(1, Math.ceil(n / WG)));

export function maxPool2d(rt: GpuRuntime, x: GpuHandle, s: Pool2dSpec): [GpuHandle, GpuHandle] {
  const out = allocOutput(rt, 'maxPool2d', 'output', outShape(s));
  const argmax = allocOutput(rt, 'maxPool2d', 'arg-max', outShape(s), 'int32');
  rt.dispatch(
    { shader: 'pool', entry: 'max_forward', overrides: { WG } },
    [x, out, rt.constant(params(s)), argmax],
    groups(outSize(s)),
  );
  return [out, argmax];
}

export function maxPool2dBackward(rt: GpuRuntime, dy: GpuHandle, argmax: GpuHandle, s: Pool2dSpec): GpuHandle {
  const dx = allocOutput(rt, 'maxPool2d backward', 'input gradient', inShape(s));
  rt.dispatch(
    { shader: 'pool', entry: 'max_backward', overrides: { WG } },
    [dy, dx, rt.constant(params(s)), undefined, argmax],
    groups(inSize(s)),
  );
  return dx;
}

export function avgPool2d(rt: GpuRuntime, x: GpuHandle, s: Pool2dSpec): GpuHandle {
  const out = allocOutput(rt, 'avgPool2d', 'output', outShape(s));
  rt.dispatch(
    { shader: 'pool', entry: 'avg_forward', overrides: { WG, COUNT_PAD: s.countIncludePad ? 1 : 0 } },
    [x, out, rt.constant(params(s))],
    groups(outSize(s)),
  );
  return out;
}

export function avgPool2dBackward(rt: GpuRuntime, dy: GpuHandle, s: Pool2dSpec): GpuHandle {
  const dx = allocOutput(rt, 'avgPool2d backward', 'input gradient', inShape(s));
  rt.dispatch(
    { shader: 'pool', entry: 'avg_backward', overrides: { WG, COUNT_PAD: s.countIncludePad ? 1 : 0 } },
    [dy, dx, rt.constant(params(s))],
    groups(inSize(s)),
  );
  return dx;
}
