// Asking for a WebGPU adapter once, for test/run.ts (before any test file loads) and for
// ./webgpu.ts. Kept apart from ./webgpu.ts because this file must not import uvu: uvu decides
// at its own first import whether it runs under a runner (UVU_DEFER), which test/run.ts sets.
import * as dg from '../../src/index.js';

export const WEBGPU_ENV = 'DAWNGRAD_TEST_WEBGPU';

/** CI, or anyone who sets DAWNGRAD_REQUIRE_WEBGPU=1, wants a missing adapter to fail the run. */
export function webgpuRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === 'true' || env.CI === '1' || env.DAWNGRAD_REQUIRE_WEBGPU === '1';
}

/** Asks Dawn for an adapter; the reason is the engine's own message saying what to install. */
export async function probeWebGpu(): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    await dg.init({ backend: 'webgpu' });
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

