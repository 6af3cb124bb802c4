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

/**
 * The same views over fewer dimensions: size-1 dimensions dropped, and each dimension merged
 * into the one outside it when every operand steps through the pair as one (its outer stride is
 * its inner stride times the inner size; broadcast pairs, stride 0 twice, always merge). The
 * kernel divides once per remaining dimension per element.
 */
export function mergeDims(shape: readonly number[], strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const merged: number[] = [];
  const mergedStrides: number[][] = strides.map(() => []);
  shape.forEach((size, d) => {
    if (size === 1) return;
    const last = merged.length - 1;
    if (last >= 0 && strides.every((s, k) => mergedStrides[k]![last] === s[d]! * size)) {
      merged[last]! *= size;
      strides.forEach((s, k) => { mergedStrides[k]![last] = s[d]!; });
    } else {
      merged.push(size);
      strides.forEach((s, k) => mergedStrides[k]!.push(s[d]!));
    }
  });
  return { shape: merged, strides: mergedStrides };
}

/** The uniform words of layout.wgsl's view kernels for `view`, its dimensions merged. */
export function viewWords(op: string, n: number, view: View): Uint32Array {
  const dims = mergeDims(view.shape, [view.strides]);
  return Uint32Array.from([n, dims.shape.length, view.offset, 0, ...packDims(op, dims.shape, dims.strides[0]!)]);
}
