// dg.profile: GPU time per kernel for the work a function queues, from timestamp queries.
import { formatKernelTable, type KernelTime, type ProfileGroup, summarize } from '../backend/profileSpec.js';
import { getBackend } from './engine.js';

export type { KernelTime, ProfileGroup };

export interface ProfileOptions {
  /** Rows per 'kernel' (shader and entry point, the default), 'pipeline' (also its override
   *  constants) or 'dispatch' (also its workgroup grid). */
  by?: ProfileGroup;
  /** Timestamp queries per batch (two per dispatch); when full, the batch is submitted early. */
  queryCapacity?: number;
}

export interface Profile<T> {
  /** What the profiled function returned. */
  result: T;
  /** Per-kernel totals, largest total first. */
  kernels: KernelTime[];
  /** Dispatches timed. */
  dispatches: number;
  /** The summed GPU time of every dispatch. */
  gpuMs: number;
  /** Wall time from the call until the timed work had finished on the GPU. Profiling gives each
   *  dispatch its own pass, so this is longer than the same work's wall time unprofiled. */
  wallMs: number;
  /** The kernels (the largest `top`, or all) as a markdown table with a totals line. */
  table(top?: number): string;
}

/**
 * Runs `fn` (which may be async) with every WebGPU dispatch timed on the device, waits for the
 * work it queued, and reports GPU time per kernel. Everything dispatched while it runs is
 * counted, including work from other async code. Outside `profile` the runtime records
 * dispatches in one shared pass as usual, at no extra cost.
 */
export async function profile<T>(fn: () => T | Promise<T>, options: ProfileOptions = {}): Promise<Profile<T>> {
  if (typeof fn !== 'function') throw new Error(`profile: expected a function whose dispatches to time, got ${typeof fn}`);
  const be = getBackend();
  // Timing is an optional backend capability (only webgpu has it), so core never reaches into a runtime.
  if (!be.startProfiling) {
    throw new Error(`profile: times WebGPU dispatches, but the active backend is '${be.name}' (call \`await dg.init({ backend: 'webgpu' })\` first)`);
  }
  const by = options.by ?? 'kernel';
  if (by !== 'kernel' && by !== 'pipeline' && by !== 'dispatch') {
    throw new Error(`profile: unknown grouping by '${String(by)}' (expected 'kernel', 'pipeline' or 'dispatch')`);
  }
  const session = be.startProfiling(by, options.queryCapacity);
  const start = performance.now();
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await fn() };
  } catch (error) {
    outcome = { ok: false, error };
  }
  let samples;
  try {
    samples = await session.stop();
  } catch (e) {
    // The function's own error explains more than a failure to read the times after it.
    throw outcome.ok ? e : outcome.error;
  }
  const wallMs = performance.now() - start;
  if (!outcome.ok) throw outcome.error;
  const kernels = summarize(samples);
  return {
    result: outcome.value,
    kernels,
    dispatches: samples.length,
    gpuMs: kernels.reduce((s, k) => s + k.totalMs, 0),
    wallMs,
    table: (top?: number) => formatKernelTable(kernels, top),
  };
}
