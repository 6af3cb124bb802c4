// Runs every test/**/*.test.ts with uvu in one process (one WebGPU device for all) and ends
// with the line CI reads: "N passed, N failed". `npm test -- conv` runs files matching "conv".
//
// Whether a WebGPU adapter exists is decided here, once, before any test file loads. Without
// one the webgpu tests are skipped and counted ("N skipped") and the cpu tests still run, so a
// first `npm test` on a machine without a Vulkan driver is green and says what it did not test;
// in CI (CI=true) or with DAWNGRAD_REQUIRE_WEBGPU=1 a missing adapter fails at once instead.
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { run } from 'uvu/run';
import { probeWebGpu, WEBGPU_ENV, webgpuRequired } from './support/adapter.js';

// DAWNGRAD_TEST_ROOT lets test/runner.test.ts run this runner over a fixture folder.
const root = resolve(process.env.DAWNGRAD_TEST_ROOT ?? import.meta.dirname);
const filter = process.argv[2];

function find(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    // support/ holds helpers and the runner's own fixtures, never tests of the engine.
    if (statSync(p).isDirectory()) return name === 'support' ? [] : find(p);
    return name.endsWith('.test.ts') ? [p] : [];
  }).sort();
}

const files = find(root).filter((f) => !filter || relative(root, f).includes(filter));
if (files.length === 0) {
  console.error(`no test files match '${filter}'`);
  process.exit(1);
}

const probe = await probeWebGpu();
process.env[WEBGPU_ENV] = probe.ok ? '1' : '0';
const noAdapterBanner = probe.ok ? '' : [
  '='.repeat(78),
  'dawngrad tests: NO WebGPU ADAPTER on this machine.',
  `  ${probe.reason}`,
  '  On a machine without a GPU driver, install Mesa\'s software Vulkan (lavapipe) once:',
  '    sudo bash scripts/install-software-vulkan.sh',
  '='.repeat(78),
].join('\n');
if (!probe.ok && webgpuRequired()) {
  console.error(`${noAdapterBanner}\nThis run requires the webgpu backend (CI=true or DAWNGRAD_REQUIRE_WEBGPU=1), so it fails here.`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
if (!probe.ok) console.log(`${noAdapterBanner}\nThe webgpu tests are skipped and counted as skipped; every cpu test runs.\n`);

// uvu prints its own summary; keep a copy of the output to turn it into our closing line.
let output = '';
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  output += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
  return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
}) as typeof process.stdout.write;

await run(files.map((file) => ({ name: relative(root, file), file })));

process.stdout.write = write;
// eslint-disable-next-line no-control-regex
const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0);
const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0);
const skipped = Number(/Skipped:\s+(\d+)/.exec(plain)?.[1] ?? 0);
// uvu's Total counts the tests that ran; skipped ones are counted apart.
const failed = total - passed;
if (!probe.ok) console.log(`\n${skipped} webgpu tests were skipped: no WebGPU adapter (see the banner at the top).`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || total === 0 ? 1 : 0);
