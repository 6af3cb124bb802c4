// Where dg.save / dg.load / dg.loadStateDict read and write besides a path: dg.save(model)
// returns the file's bytes, and loading takes bytes, an ArrayBuffer, a Blob or File, a file:
// URL, or an http URL (fetched: what a page does with a plain string).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';

const test = suite('io: bytes, blobs and URLs');
const dir = mkdtempSync(join(tmpdir(), 'dawngrad-input-'));
let server: Server;
let base = '';
let bytes: Uint8Array;

const makeModel = () => new dg.nn.Sequential(new dg.nn.Linear(3, 4), new dg.nn.ReLU(), new dg.nn.Linear(4, 2));
const x = () => dg.tensor([[0.5, -1, 2], [1, 0.25, -0.5]]);

test.before(async () => {
  await dg.init({ backend: 'cpu' });
  dg.manualSeed(3);
  bytes = await dg.save(makeModel());
  writeFileSync(join(dir, 'model.safetensors'), bytes);
  server = createServer((req, res) => {
    if (req.url === '/model.safetensors') res.end(bytes);
    else res.writeHead(404).end();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
test.after(async () => {
  await new Promise((ok) => server.close(ok));
  rmSync(dir, { recursive: true, force: true });
});

test('save with no path returns the bytes save with a path writes', async () => {
  dg.manualSeed(3);
  const model = makeModel();
  await dg.save(model, join(dir, 'again.safetensors'));
  const fromPath = await dg.load(join(dir, 'again.safetensors'));
  const fromBytes = await dg.load(await dg.save(model));
  assert.equal(await (fromBytes.call(x()) as dg.Tensor).array(), await (fromPath.call(x()) as dg.Tensor).array());
  assert.ok(bytes.length > 8 && bytes instanceof Uint8Array);
});

test('load takes bytes, an ArrayBuffer, a Blob, a File, a file: URL and an http URL alike', async () => {
  const expected = await makeModelFrom(await dg.load(bytes)).array();
  const copy = bytes.slice();
  const sources: [string, dg.io.SafetensorsInput][] = [
    ['ArrayBuffer', copy.buffer],
    ['Blob', new Blob([copy])],
    ['File', new File([copy], 'weights.safetensors')],
    ['file: URL', pathToFileURL(join(dir, 'model.safetensors'))],
    ['http URL string', `${base}/model.safetensors`],
    ['http URL', new URL(`${base}/model.safetensors`)],
  ];
  for (const [what, source] of sources) {
    assert.equal(await makeModelFrom(await dg.load(source)).array(), expected, what);
  }
});

test('loadStateDict takes bytes into an existing model', async () => {
  const model = makeModel();
  const result = await dg.loadStateDict(model, bytes);
  assert.equal(result, { missingKeys: [], unexpectedKeys: [] });
  assert.equal(await (model.call(x()) as dg.Tensor).array(), await makeModelFrom(await dg.load(bytes)).array());
});

test('a source of the wrong kind, a missing URL and broken bytes say what went wrong', async () => {
  await throwsAsync(() => dg.load(42 as unknown as Uint8Array), ['load: expected a path, URL, ArrayBuffer, Uint8Array or Blob, got number']);
  await throwsAsync(() => dg.loadStateDict(makeModel(), null as unknown as Uint8Array), ['loadStateDict:', 'got null']);
  await throwsAsync(() => dg.load(`${base}/missing.safetensors`), ['missing.safetensors', 'HTTP 404']);
  await throwsAsync(() => dg.load(new File([bytes.subarray(0, 20)], 'cut.safetensors')), ['load: cut.safetensors']);
});

function makeModelFrom(model: dg.nn.AnyModule): dg.Tensor {
  return model.call(x()) as dg.Tensor;
}

async function throwsAsync(fn: () => Promise<unknown>, fragments: string[]): Promise<void> {
  try {
    await fn();
  } catch (e) {
    const m = (e as Error).message;
    for (const f of fragments) assert.ok(m.includes(f), `expected '${f}' in: ${m}`);
    return;
  }
  assert.unreachable(`expected an error with ${fragments.join(', ')}`);
}

test.run();
