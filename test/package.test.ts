// The package works when installed elsewhere: `npm pack`, install the tarball into a fresh
// project, and run a matmul on webgpu from plain Node, with the shaders and types shipped.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { webgpuTest } from './support/webgpu.js';

const repo = resolve(import.meta.dirname, '..');
const t = suite('npm package');
let dir = '';

t.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'dawngrad-pack-'));
});
t.after(() => {
  rmSync(dir, { recursive: true, force: true });
});

const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' } });

webgpuTest(t)('installs from its tarball and runs a matmul on webgpu', () => {
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir], repo)) as { filename: string; files: { path: string }[] }[];
  const files = packed[0]!.files.map((f) => f.path);
  assert.ok(files.includes('shaders/matmul.wgsl'), 'shaders ship');
  assert.ok(files.includes('dist/src/index.d.ts'), 'types ship');
  assert.ok(files.includes('dist/dawngrad.browser.js'), 'the browser bundle ships');
  assert.ok(files.includes('bin/dawngrad.js') && files.includes('dist/src/serve/cli.js'), 'the dawngrad command ships');
  assert.ok(!files.some((f) => f.startsWith('test/') || f.startsWith('src/')), 'sources and tests stay out');

  const project = join(dir, 'consumer');
  run('mkdir', ['-p', project], dir);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, packed[0]!.filename)], project);
  assert.ok(existsSync(join(project, 'node_modules/dawngrad/shaders/matmul.wgsl')));

  writeFileSync(join(project, 'main.mjs'), `
import * as dg from 'dawngrad';
await dg.init({ backend: 'webgpu' });
const a = dg.tensor([[1, 2, 3], [4, 5, 6]]);
const b = dg.tensor([[1, 0], [0, 1], [1, 1]]);
console.log(JSON.stringify({ backend: dg.backend(), product: await a.matmul(b).array() }));
`);
  const out = JSON.parse(run('node', ['main.mjs'], project).trim().split('\n').pop()!);
  assert.equal(out, { backend: 'webgpu', product: [[4, 5], [10, 11]] });

  // Without src/ the bin runs the compiled CLI.
  assert.match(run(join(project, 'node_modules/.bin/dawngrad'), ['serve', '--help'], project), /--model-base-path/);

  writeFileSync(join(project, 'typed.ts'), `
import * as dg from 'dawngrad';
export async function f(): Promise<number> {
  await dg.init();
  const t: dg.Tensor = dg.ones([2, 2]).matmul(dg.ones([2, 2]));
  return t.sum().item();
}
`);
  run(join(repo, 'node_modules/.bin/tsc'), ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', 'typed.ts'], project);
});

t.run();
