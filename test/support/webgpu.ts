// Whether this test process has a WebGPU adapter, decided once. test/run.ts probes before any
// test file loads and passes the answer down in DAWNGRAD_TEST_WEBGPU; a file run on its own
// (`npx tsx test/x.test.ts`) probes here. Tests that need the webgpu backend register through
// `webgpuTest`, so on a machine without an adapter they are counted as skipped, never failed
// and never silently passed.
import { suite, type Callback, type Test } from 'uvu';
import * as dg from '../../src/index.js';
import { probeWebGpu, WEBGPU_ENV } from './adapter.js';

async function decide(): Promise<boolean> {
  const told = process.env[WEBGPU_ENV];
  if (told === '1' || told === '0') return told === '1';
  return (await probeWebGpu()).ok;
}

export const webgpuAvailable: boolean = await decide();

/** `t(name, fn)` where an adapter exists, `t.skip(name, fn)` where none does. */
export function webgpuTest<T>(t: Test<T>): (name: string, fn: Callback<T>) => void {
  return (name, fn) => (webgpuAvailable ? t(name, fn) : t.skip(name, fn));
}

/** The backends a test can run on here: webgpu tests on a machine without an adapter are skipped. */
export const BACKEND_NAMES = ['cpu', 'webgpu'] as const;

/** `t` for cpu, `webgpuTest(t)` for webgpu: one loop registers a test per backend. */
export function backendTest<T>(t: Test<T>, backend: (typeof BACKEND_NAMES)[number]): (name: string, fn: Callback<T>) => void {
  return backend === 'webgpu' ? webgpuTest(t) : t;
}

/**
 * Registers `name [cpu]` and `name [webgpu]`, each running `fn` on its backend after
 * `dg.init`, so a machine without an adapter still runs the cpu half and counts the other.
 */
export function forEachBackend<T>(t: Test<T>, name: string, fn: (backend: (typeof BACKEND_NAMES)[number]) => Promise<void>): void {
  for (const backend of BACKEND_NAMES) {
    backendTest(t, backend)(`${name} [${backend}]`, async () => {
      await dg.init({ backend });
      await fn(backend);
    });
  }
}

/**
 * A uvu suite whose every test needs webgpu (its hooks set the device up): as `suite(name)`
 * where an adapter exists; where none does, its tests register as skipped and its hooks, which
 * would fail asking for the device, do not run.
 */
export function webgpuSuite(name: string): Test {
  const s = suite(name);
  if (webgpuAvailable) return s;
  const noHook = Object.assign(() => {}, { each: () => {} });
  const skipped = (testName: string, fn: Callback) => s.skip(testName, fn);
  return Object.assign(skipped, { only: skipped, skip: skipped, before: noHook, after: noHook, run: () => s.run() }) as unknown as Test;
}
