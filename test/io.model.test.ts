// Whole-model files: dg.save writes PyTorch-named weights plus the architecture; dg.load
// rebuilds a model with identical outputs; dg.loadStateDict reads PyTorch-style files, with
// strict key checking.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { encodeSafetensors, decodeSafetensors } from '../src/io/safetensors.js';
import { assertClose, GPU_TOL, hasWebGpu, seeded } from './support/compare.js';
import { webgpuTest } from './support/webgpu.js';

const test = suite('io model');
const dir = mkdtempSync(join(tmpdir(), 'dawngrad-model-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** Conv features of each image row fed as a sequence to a 2-layer bidirectional LSTM, then a linear head. */
class ConvLstmNet extends dg.nn.Module {
  readonly conv: dg.nn.Conv2d;
  readonly lstm: dg.nn.LSTM;
  readonly head: dg.nn.Linear;

  constructor(readonly hidden: number) {
    super();
    this.conv = new dg.nn.Conv2d(1, 3, 3, { padding: 1 });
    this.lstm = new dg.nn.LSTM(3 * 6, hidden, { numLayers: 2, bidirectional: true, batchFirst: true });
    this.head = new dg.nn.Linear(2 * hidden, 3);
  }

  override forward(x: Tensor): Tensor {
    const [n, , h] = x.shape as number[];
    const features = this.conv.forward(x).relu().permute([0, 2, 1, 3]).reshape([n!, h!, 18]);
    const [out] = this.lstm.forward(features);
    return this.head.forward(out.narrow(1, h! - 1, 1).reshape([n!, 2 * this.hidden]));
  }

  override config(): dg.nn.JsonObject {
    return { hidden: this.hidden };
  }
}
dg.nn.registerLayer('ConvLstmNet', ConvLstmNet, (c) => new ConvLstmNet(c.hidden as number));

const input = () => dg.tensor(Float32Array.from(seeded(2 * 5 * 6, 4)), [2, 1, 5, 6]);

async function stateValues(m: dg.nn.AnyModule): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [k, t] of Object.entries(m.stateDict())) out[k] = [...await t.data()];
  return out;
}

test.before(async () => { await dg.init({ backend: 'cpu' }); });

test('a conv + LSTM + linear model comes back from its file with identical weights and outputs', async () => {
  dg.manualSeed(1);
  const model = new ConvLstmNet(4);
  const path = join(dir, 'convlstm.safetensors');
  await dg.save(model, path);
  dg.manualSeed(2); // the rebuilt model's fresh initialisation must be overwritten
  const loaded = await dg.load(path);
  assert.instance(loaded, ConvLstmNet);
  assert.equal(await stateValues(loaded), await stateValues(model));
  const x = input();
  assert.equal([...await (loaded as ConvLstmNet).forward(x).data()], [...await model.forward(x).data()]);
});

test('floatDtype F16 / BF16 writes half-size files whose weights load back rounded to that precision', async () => {
  dg.manualSeed(3);
  const model = new ConvLstmNet(4);
  const full = join(dir, 'f32.safetensors');
  await dg.save(model, full);
  const want = await stateValues(model);
  for (const [floatDtype, relative] of [['F16', 2 ** -11], ['BF16', 2 ** -8]] as const) {
    const path = join(dir, `${floatDtype}.safetensors`);
    await dg.save(model, path, { floatDtype });
    const file = await dg.io.readSafetensorsFile(path);
    assert.ok([...file.tensors.values()].every((t) => t.fileDtype === floatDtype), `every weight stored as ${floatDtype}`);
    // The tensor bytes (file minus the 8-byte length and the JSON header) halve.
    const dataBytes = (p: string) => { const b = readFileSync(p); return b.length - 8 - Number(b.readBigUInt64LE(0)); };
    assert.is(2 * dataBytes(path), dataBytes(full), `${floatDtype} tensor data is half of float32's`);
    const got = await stateValues(await dg.load(path));
    for (const [k, values] of Object.entries(want)) {
      values.forEach((v, i) => assert.ok(Math.abs(got[k]![i]! - v) <= Math.abs(v) * relative + 1e-7, `${floatDtype} ${k}[${i}]: ${got[k]![i]} vs ${v}`));
    }
  }
});

test('a Sequential of conv, pool, flatten and linear layers round-trips', async () => {
  const model = new dg.nn.Sequential(
    new dg.nn.Conv2d(1, 2, [2, 3], { stride: 1, padding: 1, bias: false }), new dg.nn.ReLU(),
    new dg.nn.MaxPool2d(2), new dg.nn.Flatten(), new dg.nn.Linear(2 * 3 * 3, 4),
  );
  const path = join(dir, 'sequential.safetensors');
  await dg.save(model, path);
  const loaded = await dg.load(path);
  assert.equal(Object.keys(loaded.stateDict()), ['0.weight', '4.weight', '4.bias']);
  const x = input();
  assert.equal([...await (loaded as dg.nn.Sequential).forward(x).data()], [...await model.forward(x).data()]);
});

test('the file holds PyTorch state-dict keys as F32 tensors and the architecture in __metadata__', async () => {
  const model = new ConvLstmNet(2);
  const path = join(dir, 'header.safetensors');
  await dg.save(model, path);
  const file = decodeSafetensors(readFileSync(path));
  assert.equal([...file.tensors.keys()], Object.keys(model.stateDict()));
  assert.ok(file.tensors.has('lstm.weight_ih_l0') && file.tensors.has('lstm.bias_hh_l1_reverse') && file.tensors.has('conv.weight'));
  assert.ok([...file.tensors.values()].every((t) => t.fileDtype === 'F32'));
  assert.equal(file.tensors.get('lstm.weight_hh_l1')!.shape, [8, 2]);
  assert.is(file.metadata.format, 'pt');
  assert.equal(JSON.parse(file.metadata[dg.io.ARCHITECTURE_KEY]!), { type: 'ConvLstmNet', config: { hidden: 2 } });
});

/** What PyTorch's save_file writes for nn.Sequential(nn.Linear(3, 2)): F32 tensors named '0.weight', '0.bias'. */
function torchStyleLinear(extra: Record<string, { shape: number[]; data: Float32Array }> = {}, drop?: string): Uint8Array {
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {
    '0.bias': { shape: [2], data: Float32Array.of(0.5, -0.5) },
    '0.weight': { shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) },
    ...extra,
  };
  if (drop) delete tensors[drop];
  return encodeSafetensors(tensors, { format: 'pt' });
}

test('loadStateDict puts a PyTorch-style file into an existing model', async () => {
  const path = join(dir, 'torch.safetensors');
  writeFileSync(path, torchStyleLinear());
  const model = new dg.nn.Sequential(new dg.nn.Linear(3, 2));
  const result = await dg.loadStateDict(model, path);
  assert.equal(result, { missingKeys: [], unexpectedKeys: [] });
  assert.equal(await stateValues(model), { '0.weight': [1, 2, 3, 4, 5, 6], '0.bias': [0.5, -0.5] });
  assertClose(await model.forward(dg.tensor([[1, 0, -1]])).data(), [1 - 3 + 0.5, 4 - 6 - 0.5], GPU_TOL, 'forward with loaded weights');
});

test('strict loading names missing and unexpected keys; strict: false reports them and loads the rest', async () => {
  const missing = join(dir, 'missing.safetensors');
  writeFileSync(missing, torchStyleLinear({}, '0.bias'));
  let message = '';
  await dg.loadStateDict(new dg.nn.Sequential(new dg.nn.Linear(3, 2)), missing).catch((e: Error) => { message = e.message; });
  assert.ok(message.includes('missing: 0.bias') && message.includes(missing), message);

  const extra = join(dir, 'extra.safetensors');
  writeFileSync(extra, torchStyleLinear({ '1.weight': { shape: [1], data: Float32Array.of(9) } }));
  message = '';
  await dg.loadStateDict(new dg.nn.Sequential(new dg.nn.Linear(3, 2)), extra).catch((e: Error) => { message = e.message; });
  assert.ok(message.includes('unexpected: 1.weight'), message);

  const model = new dg.nn.Sequential(new dg.nn.Linear(3, 2));
  const result = await dg.loadStateDict(model, extra, { strict: false });
  assert.equal(result, { missingKeys: [], unexpectedKeys: ['1.weight'] });
  assert.equal((await stateValues(model))['0.bias'], [0.5, -0.5]);
});

test('a tensor of the wrong shape is an error naming the key and both shapes', async () => {
  const path = join(dir, 'shape.safetensors');
  writeFileSync(path, torchStyleLinear());
  let message = '';
  await dg.loadStateDict(new dg.nn.Sequential(new dg.nn.Linear(2, 3)), path).catch((e: Error) => { message = e.message; });
  assert.ok(message.includes("'0.weight'") && message.includes('[3, 2]') && message.includes('[2, 3]'), message);
});

test('load explains a weights-only file, a bad architecture and an unknown layer type', async () => {
  const cases: [string, Uint8Array, string][] = [
    ['weights-only', torchStyleLinear(), 'dg.loadStateDict(model, path)'],
    ['bad JSON', encodeSafetensors({}, { [dg.io.ARCHITECTURE_KEY]: '{"type": ' }), 'not valid JSON'],
    ['wrong shape of JSON', encodeSafetensors({}, { [dg.io.ARCHITECTURE_KEY]: '[1]' }), 'should be { type, config }'],
    ['unknown type', encodeSafetensors({}, { [dg.io.ARCHITECTURE_KEY]: '{"type":"Transformer9000","config":{}}' }), "unknown layer type 'Transformer9000'"],
  ];
  for (const [what, bytes, says] of cases) {
    const path = join(dir, 'arch.safetensors');
    writeFileSync(path, bytes);
    let message = '';
    await dg.load(path).catch((e: Error) => { message = e.message; });
    assert.ok(message.includes(says), `${what}: "${message}" should mention "${says}"`);
  }
});

/** Runs fn with console.warn recorded instead of printed; resolves to the warnings. */
async function warningsOf(fn: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => { seen.push(args.join(' ')); };
  try {
    await fn();
  } finally {
    console.warn = warn;
  }
  return seen;
}

test('a module of an unregistered class is saved as weights only, with one warning naming the class', async () => {
  class Unregistered extends dg.nn.Module {
    readonly fc = new dg.nn.Linear(3, 2);
    override forward(x: Tensor): Tensor { return this.fc.forward(x).relu(); }
  }
  dg.manualSeed(8);
  // Nested in a registered Sequential: the tree as a whole still cannot be rebuilt.
  const model = new dg.nn.Sequential(new Unregistered(), new dg.nn.Linear(2, 1));
  const paths = [join(dir, 'weights-only-1.safetensors'), join(dir, 'weights-only-2.safetensors')];
  const warnings = await warningsOf(async () => { for (const p of paths) await dg.save(model, p); });
  assert.is(warnings.length, 1, `one warning for two saves: ${JSON.stringify(warnings)}`);
  assert.ok(warnings[0]!.includes('Unregistered is not registered with nn.registerLayer') && warnings[0]!.includes('dg.loadStateDict'), warnings[0]);

  const file = decodeSafetensors(readFileSync(paths[1]!));
  assert.equal([...file.tensors.keys()], ['0.fc.weight', '0.fc.bias', '1.weight', '1.bias']);
  assert.is(file.metadata[dg.io.ARCHITECTURE_KEY], undefined);
  assert.is(file.metadata[dg.io.UNREGISTERED_KEY], 'Unregistered');

  let message = '';
  await dg.load(paths[1]!).catch((e: Error) => { message = e.message; });
  assert.ok(['load:', 'no architecture', 'Unregistered', 'nn.registerLayer', 'dg.loadStateDict(model, path)'].every((w) => message.includes(w)), message);

  dg.manualSeed(9);
  const rebuilt = new dg.nn.Sequential(new Unregistered(), new dg.nn.Linear(2, 1));
  await dg.loadStateDict(rebuilt, paths[1]!);
  assert.equal(await stateValues(rebuilt), await stateValues(model));
});

webgpuTest(test)('a model saved on cpu loads onto webgpu and computes the same outputs', async () => {
  if (!(await hasWebGpu())) throw new Error('no WebGPU adapter: run scripts/install-software-vulkan.sh');
  await dg.init({ backend: 'cpu' });
  dg.manualSeed(3);
  const model = new ConvLstmNet(3);
  const path = join(dir, 'gpu.safetensors');
  await dg.save(model, path);
  const expected = await model.forward(input()).data();
  await dg.init({ backend: 'webgpu' });
  const loaded = await dg.load(path);
  assert.is(Object.values(loaded.stateDict())[0]!.backend.name, 'webgpu');
  assertClose(await (loaded as ConvLstmNet).forward(input()).data(), expected, GPU_TOL, 'webgpu output of the loaded model');
  await dg.init({ backend: 'cpu' });
});

test.run();
