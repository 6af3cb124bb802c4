// The adapter's measured float32 ceiling: shaders/fma_ceiling.wgsl (vec4 FMAs on registers
// only) dispatched through dawngrad's runtime in the dawngrad-webgpu column's process, so each
// kernel's GFLOPS can be read as a fraction of what this adapter can do at all in the same run.
import type { GpuHandle, GpuRuntime } from '../src/backend/webgpu/runtime.js';

const WORKGROUP_SIZE = 64;
/** Per invocation and loop trip: 4 accumulators x 4 components x (multiply + add). */
export const FLOPS_PER_ITERATION = 4 * 4 * 2;
// 1 - 2^-10 and 2^-10, exact in float32: the accumulators converge to 1 without rounding drift.
const MULTIPLIER = 1 - 2 ** -10;
const ADDEND = 2 ** -10;
/** Never a sum (the accumulators start and stay positive), so timing runs store nothing. */
const SENTINEL = -1;
const MAX_ITERATIONS = 2 ** 24;

export interface FmaCeiling {
  gflops: number;
  /** The best repetition's wall time, ending with a read-back. */
  ms: number;
  iterations: number;
  invocations: number;
  reps: number;
}

function params(rt: GpuRuntime, iterations: number, written: number): GPUBuffer {
  const words = new ArrayBuffer(20);
  new Uint32Array(words, 0, 2).set([iterations, written]);
  new Float32Array(words, 8, 3).set([MULTIPLIER, ADDEND, SENTINEL]);
  return rt.constant(new Uint32Array(words));
}

function dispatch(rt: GpuRuntime, out: GpuHandle, workgroups: number, iterations: number, written: number): void {
  rt.dispatch({ shader: 'fma_ceiling', entry: 'main', overrides: { WORKGROUP_SIZE } }, [out, params(rt, iterations, written)], [workgroups]);
}

/** Every invocation's sum (x, y, z, w per invocation), as the kernel computes it: for the check. */
export async function fmaSums(rt: GpuRuntime, workgroups: number, iterations: number): Promise<Float32Array> {
  const n = workgroups * WORKGROUP_SIZE;
  const out = rt.alloc(4 * n, 'float32');
  try {
    dispatch(rt, out, workgroups, iterations, n);
    return new Float32Array(await rt.readBuffer(out));
  } finally {
    rt.release(out);
  }
}

/** The same recurrence in float64 on the host. */
export function fmaSumsReference(invocations: number, iterations: number): Float64Array {
  const out = new Float64Array(4 * invocations);
  for (let g = 0; g < invocations; g++) {
    const x = (g & 1023) / 1024;
    for (let c = 0; c < 4; c++) {
      for (let k = 0; k < 4; k++) {
        let acc = x + 0.125 * c + 0.5 * k;
        for (let i = 0; i < iterations; i++) acc = acc * MULTIPLIER + ADDEND;
        out[4 * g + c] += acc;
      }
    }
  }
  return out;
}

/**
 * Doubles the trip count until one dispatch takes `targetMs` (so launch and read-back costs
 * vanish next to the arithmetic on any adapter, lavapipe or a data-centre GPU), then keeps the
 * best of `reps` repetitions: other work on the machine only ever slows one down.
 */
export async function measureFmaCeiling(rt: GpuRuntime, opts: { targetMs: number; reps: number; workgroups?: number }): Promise<FmaCeiling> {
  const workgroups = opts.workgroups ?? 4096;
  const invocations = workgroups * WORKGROUP_SIZE;
  const out = rt.alloc(4, 'float32');
  const time = async (iterations: number): Promise<number> => {
    const t0 = performance.now();
    dispatch(rt, out, workgroups, iterations, 0);
    await rt.readBuffer(out);
    return performance.now() - t0;
  };
  try {
    let iterations = 16;
    await time(iterations); // compiles the pipeline
    let ms = await time(iterations);
    while (ms < opts.targetMs && iterations < MAX_ITERATIONS) {
      iterations *= 2;
      ms = await time(iterations);
    }
    for (let r = 1; r < opts.reps; r++) ms = Math.min(ms, await time(iterations));
    const gflops = (invocations * iterations * FLOPS_PER_ITERATION) / (ms * 1e6);
    return { gflops, ms, iterations, invocations, reps: opts.reps };
  } finally {
    rt.release(out);
  }
}
