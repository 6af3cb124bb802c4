// What the server reads from a request before it reaches the model: JSON with TF Serving's
// non-finite tokens, nested and flat tensors checked against the input signature, and where
// that signature comes from (fit, dg.save's inputShape, the first layer).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import { nestedJson, parseJson, toJson } from '../src/serve/json.js';
import { inputSpec } from '../src/serve/signature.js';
import { fromFlat, fromNested, type TensorSpec } from '../src/serve/tensors.js';
import { rejection, throwsWith as expectThrow } from './support/compare.js';

const t = suite('serve input');
const spec: TensorSpec = { name: 'input', dtype: 'float32', shape: [-1, 2, 3] };
const ints: TensorSpec = { name: 'tokens', dtype: 'int32', shape: [-1, -1] };

const throwsWith = (fn: () => unknown, ...fragments: string[]) => expectThrow(fn, fragments, fragments[0]!);

t.before(async () => { await dg.init({ backend: 'cpu' }); });

t('bare NaN/Infinity/-Infinity tokens become strings; the same words inside strings stay', () => {
  assert.equal(parseJson('{"a": [NaN, Infinity, -Infinity, 1], "b": "NaN and Infinity"}'), { a: ['NaN', 'Infinity', '-Infinity', 1], b: 'NaN and Infinity' });
  assert.equal(parseJson('{"q": "say \\"NaN\\"", "v": [NaN]}'), { q: 'say "NaN"', v: ['NaN'] });
  throwsWith(() => parseJson('{"a": [Nan]}'), 'JSON');
});

t('responses write non-finite floats as bare tokens, nested by shape', () => {
  assert.equal(toJson({ p: nestedJson(Float32Array.from([1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]), [2, 2]), s: 'NaN' }), '{"p":[[1,NaN],[Infinity,-Infinity]],"s":"NaN"}');
});

t('nested lists become a tensor of their shape; "NaN" strings are floats', () => {
  const x = fromNested(spec, [[[1, 2, 3], [4, 5, 'NaN']]]);
  assert.equal(x.shape, [1, 2, 3]);
  assert.equal([...x.data].map(String), ['1', '2', '3', '4', '5', 'NaN']);
  assert.instance(fromNested(ints, [[1, 2], [3, 4]]).data, Int32Array);
});

t('wrong shapes, ragged lists and wrong values name the input and the expected shape', () => {
  const expected = "input 'input' expects float32 of shape [-1, 2, 3]";
  throwsWith(() => fromNested(spec, [[[1, 2, 3]]]), expected, 'got shape [1, 1, 3]');
  throwsWith(() => fromNested(spec, [[[1, 2, 3], [4, 5]]]), expected, 'ragged', '[0, 1]', 'a list of 2');
  throwsWith(() => fromNested(spec, [[[1, 2, 3], [4, 5, [6]]]]), expected, 'ragged');
  throwsWith(() => fromNested(spec, [[[1, 2, 3], [4, 5, true]]]), expected, '[0, 1, 2]', 'true');
  throwsWith(() => fromNested(spec, []), expected, 'no examples');
  throwsWith(() => fromNested(ints, [[1, 2.5]]), "input 'tokens' expects int32", '2.5, not an int32');
  throwsWith(() => fromNested(ints, [['NaN']]), 'not a number');
});

t('lists nested deeper than any input are refused before they are walked', () => {
  const anyShape: TensorSpec = { name: 'input', dtype: 'float32', shape: null };
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  throwsWith(() => fromNested(anyShape, deep), "input 'input'", 'nested deeper than 32');
  throwsWith(() => fromFlat(spec, [1, 2, 3], [deep, 2, 3, 4, 5, 6]), 'data[0]', 'not a number');
});

t('the flat form checks its shape against the data and the signature', () => {
  assert.equal(fromFlat(spec, [1, 2, 3], [1, 2, 3, 4, 5, 6]).shape, [1, 2, 3]);
  assert.equal([...fromFlat(spec, [1, 2, 3], [[[1, 2, 3], [4, 5, 6]]]).data], [1, 2, 3, 4, 5, 6]);
  throwsWith(() => fromFlat(spec, [1, 2, 3], [1, 2, 3]), 'holds 6 values but "data" has 3');
  throwsWith(() => fromFlat(spec, [1, 3, 2], [1, 2, 3, 4, 5, 6]), '[-1, 2, 3]', 'got shape [1, 3, 2]');
  throwsWith(() => fromFlat(spec, 'x', []), '"shape" must be');
});

t('the signature fit trained on travels in the saved file; inputShape overrides it; else the first layer', async () => {
  const net = () => new dg.nn.Sequential(new dg.nn.Conv2d(1, 2, 3), new dg.nn.Flatten(), new dg.nn.Linear(2 * 4 * 4, 2));
  const m = net();
  assert.equal(inputSpec(m).spec.shape, [-1, 1, -1, -1]);
  assert.equal(inputSpec(m).source, 'first layer');
  m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
  await m.fit(dg.randn([4, 1, 6, 6]), dg.tensor([0, 1, 0, 1], [4], { dtype: 'int32' }), { epochs: 1, batchSize: 2, verbose: 0 });
  assert.equal(dg.nn.inputSignature(m), { dtype: 'float32', shape: [-1, 1, 6, 6] });
  const loaded = await dg.load(await dg.save(m));
  assert.equal(inputSpec(loaded).spec, { name: 'input', dtype: 'float32', shape: [-1, 1, 6, 6] });
  assert.equal(inputSpec(loaded).source, 'saved');
  const stated = await dg.load(await dg.save(net(), undefined, { inputShape: [1, 6, -1] }));
  assert.equal(dg.nn.inputSignature(stated)?.shape, [-1, 1, 6, -1]);
  assert.equal(dg.nn.inputSignature(await dg.load(await dg.save(net()))), undefined);
  assert.match(await rejection(dg.save(net(), undefined, { inputShape: [0, 6] })), /^save: an input signature .* got dtype float32 and shape \[-1, 0, 6\]/);
  assert.match(await rejection(dg.save(net(), undefined, { inputDtype: 'int32' })), /^save: inputDtype needs inputShape/);
});

t.run();
