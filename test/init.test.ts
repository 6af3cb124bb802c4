// Backend selection on a machine without a WebGPU adapter, simulated by pointing the Vulkan
// loader at a driver manifest that does not exist (in a child process, so this one keeps its GPU).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { webgpuTest } from './support/webgpu.js';

const repo = resolve(import.meta.dirname, '..');
const t = suite('init without an adapter');

t('falls back to cpu with a one-line warning, and init({backend: "webgpu"}) says what to install', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dawngrad-init-'));
  try {
    const script = join(dir, 'probe.mts');
    writeFileSync(script, `
import * as dg from ${JSON.stringify(join(repo, 'src/index.ts'))};
await dg.init();
const fallback = dg.backend();
const sum = await dg.ones([3]).sum().item();
let error = '';
try { await dg.init({ backend: 'webgpu' }); } catch (e) { error = (e as Error).message; }
console.log(JSON.stringify({ fallback, sum, error }));
`);
    const env = { ...process.env, VK_DRIVER_FILES: '/nonexistent/icd.json', VK_ICD_FILENAMES: '/nonexistent/icd.json' };
    const out = execFileSync(join(repo, 'node_modules/.bin/tsx'), [script], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const result = JSON.parse(out.trim().split('\n').pop()!) as { fallback: string; sum: number; error: string };
    assert.is(result.fallback, 'cpu');
    assert.is(result.sum, 3);
    assert.match(result.error, /no WebGPU adapter/);
    assert.match(result.error, /install-software-vulkan\.sh/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

webgpuTest(t)('a lost device surfaces as an error at the next call, not a hang', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dawngrad-lost-'));
  try {
    const script = join(dir, 'lost.mts');
    writeFileSync(script, `
import * as dg from ${JSON.stringify(join(repo, 'src/index.ts'))};
import { getBackend } from ${JSON.stringify(join(repo, 'src/core/engine.ts'))};
await dg.init({ backend: 'webgpu' });
const x = dg.ones([4]);
await x.data();
(getBackend() as unknown as { rt: { device: GPUDevice } }).rt.device.destroy();
await new Promise((r) => setTimeout(r, 50));
let error = '';
try { await x.add(1).data(); } catch (e) { error = (e as Error).message; }
console.log(JSON.stringify({ error }));
process.exit(0);
`);
    const out = execFileSync(join(repo, 'node_modules/.bin/tsx'), [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    const { error } = JSON.parse(out.trim().split('\n').pop()!) as { error: string };
    assert.match(error, /device lost/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
