// Helpers shared by the kernel dispatchers: workgroup grids and uniform packing.
import type { View } from '../../backend.js';

/** Elements each invocation of the elementwise shaders handles (PER_THREAD in the WGSL). */
export const PER_THREAD = 4;
export const WG = 64;
const MAX_GROUPS_PER_DIM = 65535;
export const MAX_RANK = 8;

/** A 2-D grid of `groups` workgroups; the shaders linearise it as wid.y * nwg.x + wid.x. */
export function grid2d(groups: number): [number, number] {
  if (groups <= MAX_GROUPS_PER_DIM) return [groups, 1];
  const y = Math.ceil(groups / MAX_GROUPS_PER_DIM);
  return [Math.ceil(groups / y), y];
}

/** Grid for an elementwise shader over n elements. */
export function elementwiseGrid(n: number): [number, number] {
  return grid2d(Math.max(1, Math.ceil(n / (WG * PER_THREAD))));
}

const f32bits = new Float32Array(1);
const u32view = new Uint32Array(f32bits.buffer);
export function floatBits(v: number): number {
  f32bits[0] = v;
  return u32view[0]!;
}

/** Packs shape and any number of stride lists as array<vec4u, 2> each (rank <= 8). */
export function packDims(op: string, shape: readonly number[], ...strides: (readonly number[])[]): number[] {
  if (shape.length > MAX_RANK) {
    throw new Error(`${op}: tensors of rank ${shape.length} are not supported on webgpu (at most ${MAX_RANK} dimensions), got shape [${shape.join(', ')}]`);
  }
  const out: number[] = [];
  for (const list of [shape, ...strides]) {
    for (let d = 0; d < MAX_RANK; d++) out.push(d < list.length ? list[d]! : list === shape ? 1 : 0);
  }
  return out;
}

export function viewWords(op: string, n: number, view: View): Uint32Array {
  return Uint32Array.from([n, view.shape.length, view.offset, 0, ...packDims(op, view.shape, view.strides)]);
}
