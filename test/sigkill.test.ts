// Never lose a run: a child process trains on cpu with a training checkpoint every 2 batches
// and is killed with SIGKILL at seeded random moments, several times, each new child resuming
// from the newest checkpoint on disk. After every kill that checkpoint must load completely
// (every tensor, the model through dg.load, a position no earlier than the last); at the end a
// resume from it finishes the run with exactly the weights of a run never interrupted.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import { readSafetensorsFile } from '../src/io/safetensors.js';
import { BATCH, EXAMPLES, setupRun, weightBytes } from './support/resumeRun.js';

const test = suite('sigkill');
const dir = mkdtempSync(join(tmpdir(), 'dawngrad-sigkill-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const STEPS = Math.ceil(EXAMPLES / BATCH);
const KILLS = 4;
// A child must say it trains well within this, even on a loaded machine; it bounds the test.
const START_LIMIT_MS = 30_000;

/** Seeded delays in [5, 150) ms after the child's first batch (mulberry32). */
function delays(seed: number, n: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return 5 + Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * 145);
  });
}

/** Resolves once the child prints `word` (true) or exits first (false). */
function saysOrExits(child: ChildProcess, word: string): Promise<boolean> {
  return new Promise((resolve) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => { out += d.toString(); if (out.includes(word)) resolve(true); });
    child.once('exit', () => resolve(false));
  });
}

/** The position the checkpoint continues at, as a global batch number; throws if any part fails to load. */
async function loadCompletely(path: string): Promise<number> {
  const file = await readSafetensorsFile(path, { exactF64: true });
  const model = await dg.load(path);
  assert.equal(Object.keys(model.stateDict()), ['0.weight', '0.bias', '3.weight', '3.bias']);
  const at = JSON.parse(file.metadata[dg.io.TRAINING_KEY]!) as { epoch: number; step: number };
  return at.epoch * STEPS + at.step;
}

test('SIGKILLed at random moments, a run resumes from its newest checkpoint and ends as if never interrupted', async () => {
  await dg.init({ backend: 'cpu' });
  const path = join(dir, 'run.safetensors');
  let last = -1;
  let killed = 0;
  for (const delay of delays(2026, KILLS)) {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'support', 'checkpointChild.ts'), path], {
      cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
    });
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const guard = setTimeout(() => child.kill('SIGKILL'), START_LIMIT_MS);
    if (await saysOrExits(child, 'training')) {
      clearTimeout(guard);
      setTimeout(() => child.kill('SIGKILL'), delay);
    }
    const [code, signal] = await exited;
    clearTimeout(guard);
    if (signal === 'SIGKILL') killed++;
    else assert.is(code, 0, 'a child that was not killed finished its run');
    if (!existsSync(path)) continue; // killed before its first checkpoint
    const at = await loadCompletely(path);
    assert.ok(at >= last, `the newest checkpoint (batch ${at}) is not older than the one before (${last})`);
    last = at;
  }
  assert.ok(killed >= 1, 'at least one child was killed while training');
  assert.ok(last > 0, 'a checkpoint was written');

  const resumed = setupRun(path, 2);
  await resumed.model.fit(resumed.x, resumed.y, { ...resumed.options, callbacks: resumed.callbacks, resumeFrom: path });
  const straight = setupRun(join(dir, 'straight.safetensors'), 2);
  await straight.model.fit(straight.x, straight.y, { ...straight.options, callbacks: straight.callbacks });
  assert.equal(await weightBytes(resumed.model), await weightBytes(straight.model), 'bit-identical weights');
  assert.equal(readdirSync(dir).filter((n) => n.endsWith('.tmp')), [], 'no temporary file outlives the next save');
});

test.run();
