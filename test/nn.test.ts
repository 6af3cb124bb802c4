// nn.Module and the layers: registration and PyTorch's state-dict keys, parameter counts,
// state-dict round trips, modes, initialisation, architecture specs, and layer errors.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { assertClose, GPU_TOL, hasWebGpu, seeded, throwsWith } from './support/compare.js';
import { forEachBackend, webgpuTest } from './support/webgpu.js';

const { nn } = dg;
const test = suite('nn');
await hasWebGpu();

/** The seeds' Keras CNN, as PyTorch writes it. */
const kerasCnn = () => new nn.Sequential(
  new nn.Conv2d(1, 8, 3), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(),
  new nn.Linear(8 * 5 * 5, 16), new nn.ReLU(), new nn.Dropout(0.25), new nn.Linear(16, 10),
);

class Block extends nn.Module {
  readonly conv = new nn.Conv2d(3, 4, 3, { padding: 1, bias: false });
  readonly act = new nn.GELU();
  override forward(x: Tensor): Tensor { return this.act.forward(this.conv.forward(x)); }
}

class Net extends nn.Module {
  readonly features = new nn.Sequential(new Block(), new nn.AvgPool2d(2));
  readonly head: dg.nn.Linear;
  readonly scale: Tensor;
  constructor() {
    super();
    this.head = new nn.Linear(4 * 3 * 3, 2);
    this.scale = this.registerParameter('scale', dg.ones([1]));
  }
  override forward(x: Tensor): Tensor { return this.head.forward(this.features.forward(x).flatten(1)).mul(this.scale); }
}

test('Sequential uses PyTorch keys and counts parameters like PyTorch', async () => {
  await dg.init({ backend: 'cpu' });
  const m = kerasCnn();
  assert.equal(Object.keys(m.stateDict()), ['0.weight', '0.bias', '4.weight', '4.bias', '7.weight', '7.bias']);
  // conv 8*1*3*3 + 8, dense 200*16 + 16, dense 16*10 + 10 (torch: sum(p.numel() for p in m.parameters()))
  assert.is(m.numParameters(), 80 + 3216 + 170);
  assert.equal(m.stateDict()['0.weight']!.shape, [8, 1, 3, 3]);
  assert.equal(m.stateDict()['4.weight']!.shape, [16, 200]);
  // Keras' spelling, Sequential([...]), builds the same keys.
  assert.equal(Object.keys(new nn.Sequential([new nn.Flatten(), new nn.Linear(4, 2)]).stateDict()), ['1.weight', '1.bias']);
});

test('fields, explicit registration and nesting give dotted keys in assignment order', async () => {
  await dg.init({ backend: 'cpu' });
  const net = new Net();
  // PyTorch lists a module's own parameters before its children's.
  assert.equal([...net.namedParameters()].map(([k]) => k), ['scale', 'features.0.conv.weight', 'head.weight', 'head.bias']);
  assert.equal(Object.keys(net.stateDict()), ['scale', 'features.0.conv.weight', 'head.weight', 'head.bias']);
  assert.equal([...net.namedModules()].map(([k]) => k), ['', 'features', 'features.0', 'features.0.conv', 'features.0.act', 'features.1', 'head']);
  assert.is(net.numParameters(), 4 * 3 * 9 + 36 * 2 + 2 + 1);
  assert.ok(net.parameters().every((p) => p.requiresGrad));
});

test('buffers are saved in the state dict but are not parameters', async () => {
  await dg.init({ backend: 'cpu' });
  class Norm extends nn.Module {
    readonly weight = this.param(dg.ones([2]));
    readonly runningMean = this.registerBuffer('runningMean', dg.zeros([2]));
    override forward(x: Tensor): Tensor { return x.sub(this.runningMean).mul(this.weight); }
  }
  const m = new nn.Sequential(new Norm());
  assert.equal([...m.namedParameters()].map(([k]) => k), ['0.weight']);
  assert.equal([...m.namedBuffers()].map(([k]) => k), ['0.runningMean']);
  assert.equal(Object.keys(m.stateDict()), ['0.weight', '0.runningMean']);
  assert.is(m.stateDict()['0.runningMean']!.requiresGrad, false);
  m.loadStateDict({ '0.weight': dg.ones([2]), '0.runningMean': dg.tensor([1, 2]) });
  assert.equal(Array.from(await m.forward(dg.tensor([1, 2])).data()), [0, 0]);
});

test('a layer used twice: parameters() lists it once, stateDict under both names (as torch)', async () => {
  await dg.init({ backend: 'cpu' });
  const a = new nn.Linear(3, 3);
  const m = new nn.Sequential(a, new nn.ReLU(), a);
  assert.equal([...m.namedParameters()].map(([k]) => k), ['0.weight', '0.bias']);
  assert.equal(Object.keys(m.stateDict()), ['0.weight', '0.bias', '2.weight', '2.bias']);
});

forEachBackend(test, 'loadStateDict of another model\'s stateDict reproduces its outputs exactly', async (b) => {
  dg.manualSeed(1);
  const src = kerasCnn().eval();
  dg.manualSeed(2);
  const dst = kerasCnn().eval();
  const x = dg.tensor(Float32Array.from(seeded(2 * 12 * 12, 4)), [2, 1, 12, 12]);
  const want = await src.forward(x).data();
  assert.not.equal(Array.from(await dst.forward(x).data()), Array.from(want), `${b}: different seeds differ`);
  const before = dst.parameters();
  dst.loadStateDict(src.stateDict());
  assert.equal(Array.from(await dst.forward(x).data()), Array.from(want), `${b}: outputs after loading`);
  assert.ok(dst.parameters().every((p, i) => p === before[i]), `${b}: parameters are updated in place`);
});

test('loadStateDict reports missing, unexpected and mis-shaped entries', async () => {
  await dg.init({ backend: 'cpu' });
  const m = new nn.Sequential(new nn.Linear(2, 3));
  const sd = m.stateDict();
  throwsWith(() => m.loadStateDict({ '0.weight': sd['0.weight']! }), ['loadStateDict', 'missing: 0.bias'], 'missing');
  throwsWith(() => m.loadStateDict({ ...sd, extra: dg.zeros([1]) }), ['loadStateDict', 'unexpected: extra'], 'unexpected');
  throwsWith(() => m.loadStateDict({ ...sd, '0.bias': dg.zeros([4]) }), ["'0.bias'", '[3]', '[4]'], 'shape');
  const r = m.loadStateDict({ '0.bias': dg.ones([3]) }, { strict: false });
  assert.equal(r.missingKeys, ['0.weight']);
  assert.equal(Array.from(await m.stateDict()['0.bias']!.data()), [1, 1, 1]);
});

test('initialisers follow PyTorch (kaiming-uniform bounds) and repeat under manualSeed', async () => {
  await dg.init({ backend: 'cpu' });
  dg.manualSeed(7);
  const a = new nn.Linear(16, 32);
  dg.manualSeed(7);
  const b = new nn.Linear(16, 32);
  const wa = await a.weight.data();
  assert.equal(Array.from(wa), Array.from(await b.weight.data()));
  // bound = 1 / sqrt(fan_in) = 0.25 for both weight and bias; the draws fill most of the range.
  const max = Math.max(...Array.from(wa, Math.abs));
  assert.ok(max <= 0.25 && max > 0.2, `weights within +-0.25, got max |w| ${max}`);
  const conv = new nn.Conv2d(2, 3, [3, 5]);
  const cb = Math.max(...Array.from(await conv.bias!.data(), Math.abs));
  assert.ok(cb <= 1 / Math.sqrt(30), `conv bias within 1/sqrt(fan_in 30), got ${cb}`);
});

test('train() and eval() reach every submodule; Dropout obeys them', async () => {
  await dg.init({ backend: 'cpu' });
  const m = new nn.Sequential(new nn.Sequential(new nn.Dropout(0.5)));
  const x = dg.ones([1000]);
  m.eval();
  assert.ok(m.modules().every((s) => !s.training));
  assert.equal(Array.from(await m.forward(x).data()), Array.from(await x.data()), 'eval: identity');
  m.train();
  assert.ok(m.modules().every((s) => s.training));
  dg.manualSeed(3);
  const y = Array.from(await m.forward(x).data());
  assert.ok(y.every((v) => v === 0 || v === 2), 'kept values are scaled by 1 / (1 - p)');
  const kept = y.filter((v) => v === 2).length;
  assert.ok(kept > 420 && kept < 580, `about half kept, got ${kept}`);
  dg.manualSeed(3);
  assert.equal(Array.from(await m.forward(x).data()), y, 'reproducible under manualSeed');
});

webgpuTest(test)('layers give the same outputs and gradients on webgpu as on cpu', async () => {
  const run = async (b: 'cpu' | 'webgpu') => {
    await dg.init({ backend: b });
    dg.manualSeed(5);
    const m = new Net();
    const x = dg.tensor(Float32Array.from(seeded(3 * 3 * 7 * 7, 8)), [3, 3, 7, 7]);
    const out = m.forward(x);
    out.square().sum().backward();
    return { out: await out.data(), grads: await Promise.all(m.parameters().map((p) => p.grad!.data())) };
  };
  const cpu = await run('cpu');
  const webgpu = await run('webgpu');
  assertClose(webgpu.out, cpu.out, GPU_TOL, 'forward');
  cpu.grads.forEach((g, i) => assertClose(webgpu.grads[i]!, g, GPU_TOL, `gradient ${i}`));
});

test('activation layers apply their ops', async () => {
  await dg.init({ backend: 'cpu' });
  const x = dg.tensor([[-1, 0.5, 2]]);
  const cases: [dg.nn.AnyModule, number[]][] = [
    [new nn.ReLU(), [0, 0.5, 2]],
    [new nn.LeakyReLU(0.1), [-0.1, 0.5, 2]],
    [new nn.Sigmoid(), [-1, 0.5, 2].map((v) => 1 / (1 + Math.exp(-v)))],
    [new nn.Tanh(), [-1, 0.5, 2].map(Math.tanh)],
    [new nn.Softmax(), [-1, 0.5, 2].map((v) => Math.exp(v) / (Math.exp(-1) + Math.exp(0.5) + Math.exp(2)))],
    [new nn.GELU('tanh'), [-1, 0.5, 2].map((v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))))],
  ];
  for (const [layer, want] of cases) assertClose(await (layer.forward(x) as Tensor).data(), want, GPU_TOL, layer.constructor.name);
});

test('spec() and buildLayer rebuild the architecture', async () => {
  await dg.init({ backend: 'cpu' });
  const m = kerasCnn();
  const spec = JSON.parse(JSON.stringify(m.spec()));
  const rebuilt = nn.buildLayer(spec);
  assert.equal(Object.keys(rebuilt.stateDict()), Object.keys(m.stateDict()));
  assert.equal(rebuilt.spec(), m.spec());
  throwsWith(() => nn.buildLayer({ type: 'Nope', config: {} }), ['buildLayer', "'Nope'", 'Linear'], 'unknown type');
  throwsWith(() => new Net().spec(), ['Net', 'registerLayer'], 'unregistered class');
});

test('toString shows the tree with parameter counts', async () => {
  await dg.init({ backend: 'cpu' });
  const s = String(new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU()));
  assert.ok(s.includes('(0): Linear(inFeatures=4, outFeatures=3, bias=true)  # 15 params'), s);
  assert.ok(s.includes('(1): ReLU()'), s);
  assert.ok(s.includes('Total params: 15'), s);
});

test('layers reject bad arguments and inputs with clear errors', async () => {
  await dg.init({ backend: 'cpu' });
  throwsWith(() => new nn.Linear(0, 3), ['Linear', 'inFeatures', '0'], 'zero features');
  throwsWith(() => new nn.Linear(4, 3).forward(dg.zeros([8, 5])), ['Linear', '[..., 4]', '[8, 5]'], 'wrong input width');
  throwsWith(() => new nn.Conv2d(3, 4, 3, { groups: 2 }), ['Conv2d', 'divisible by groups'], 'groups');
  throwsWith(() => new nn.Conv2d(3, 4, 3).forward(dg.zeros([2, 1, 8, 8])), ['conv2d', '[2, 1, 8, 8]'], 'wrong channels');
  throwsWith(() => new nn.Dropout(1.5), ['Dropout', '[0, 1]', '1.5'], 'p');
  throwsWith(() => new nn.Sequential(new nn.ReLU(), 3 as unknown as dg.nn.AnyModule), ['Sequential', 'layer 1'], 'non-module');
});

test.run();
