// `dawngrad serve` end to end, on loopback: a model trained and saved here is served by a child
// process, every endpoint of both REST APIs is called, the answers are compared with in-process
// predict, and every error path is provoked. The server runs on the cpu backend (the webgpu
// end-to-end is in serve.shutdown.test.ts); same kernels in and out of the server, so the
// float32 tolerance below only absorbs the JSON round trip (float32 printed as a float64 decimal).
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import { parseJson } from '../src/serve/json.js';
import { assertClose, seeded } from './support/compare.js';
import { FAIL_MARKER, FailOnMarker } from './support/serveFailLayer.js';
import { type Answer, call, metricValue, type ServeProcess, startServe, until } from './support/serveProcess.js';

const TOL = { atol: 1e-6, rtol: 1e-6 };
const KEY = 'serve-test-key-7f3a';
const AUTH = { authorization: `Bearer ${KEY}` };
const t = suite('serve');
const dir = mkdtempSync(join(tmpdir(), 'dawngrad-serve-'));
const base = join(dir, 'models');
let server: ServeProcess;
let tiny: dg.nn.AnyModule;
let failing: dg.nn.AnyModule;
let binary: dg.nn.AnyModule;

const rows = (n: number, seed: number): number[][] => {
  const v = seeded(n * 4, seed);
  return Array.from({ length: n }, (_, i) => Array.from(v.subarray(i * 4, (i + 1) * 4), (x) => Math.fround(x)));
};

async function expected(model: dg.nn.AnyModule, x: number[][]): Promise<number[][]> {
  return (await (await model.predict(dg.tensor(x))).array()) as number[][];
}

function assertRows(actual: number[][], wanted: number[][], what: string): void {
  assert.equal(actual.length, wanted.length, `${what}: row count`);
  assertClose(actual.flat(), wanted.flat(), TOL, what);
}

const get = (path: string, headers: Record<string, string> = AUTH) => call(server.url + path, 'GET', undefined, headers);
const post = (path: string, body: unknown, headers: Record<string, string> = AUTH) => call(server.url + path, 'POST', body, headers);

function assertError(a: Answer, status: number, ...phrases: string[]): void {
  assert.equal(a.status, status, `status (body ${JSON.stringify(a.body)})`);
  assert.type(a.body?.error, 'string', `an { error } body, got ${JSON.stringify(a.body)}`);
  for (const p of phrases) assert.ok(a.body.error.includes(p), `'${a.body.error}' should mention '${p}'`);
}

async function saveVersion(model: dg.nn.AnyModule, name: string, version: number, options?: dg.io.SaveOptions): Promise<void> {
  mkdirSync(join(base, name, String(version)), { recursive: true });
  await dg.save(model, join(base, name, String(version), 'model.safetensors'), options);
}

t.before(async () => {
  await dg.init({ backend: 'cpu' });
  dg.manualSeed(7);
  // Trained with fit and saved without inputShape: the file's signature is the one fit recorded.
  tiny = new dg.nn.Sequential(new dg.nn.Linear(4, 16), new dg.nn.ReLU(), new dg.nn.Linear(16, 3));
  tiny.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  const x = dg.tensor(rows(64, 1));
  const y = dg.tensor(Int32Array.from({ length: 64 }, (_, i) => i % 3), [64], { dtype: 'int32' });
  await tiny.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0 });
  await saveVersion(tiny, 'tiny', 1);
  failing = new dg.nn.Sequential(new FailOnMarker(), new dg.nn.Linear(4, 3));
  await saveVersion(failing, 'fail', 1, { inputShape: [4] });
  binary = new dg.nn.Sequential(new dg.nn.Linear(4, 1), new dg.nn.Sigmoid());
  await saveVersion(binary, 'binary', 1, { inputShape: [4] });
  writeFileSync(join(dir, 'key'), `${KEY}\n`);
  server = await startServe(['--model-base-path', base, '--backend', 'cpu', '--api-key-file', join(dir, 'key'), '--body-limit', '65536',
    '--batch-timeout-ms', '20', '--poll-interval-ms', '100'], { preload: resolve(import.meta.dirname, 'support/serveFailLayer.ts') });
});

t.after(() => {
  server?.kill();
  rmSync(dir, { recursive: true, force: true });
});

t('GET /v1/models/NAME[/versions/V] reports each version as TF Serving does', async () => {
  const all = await get('/v1/models/tiny');
  assert.equal(all.status, 200);
  assert.equal(all.body, { model_version_status: [{ version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }] });
  assert.equal((await get('/v1/models/tiny/versions/1')).body, all.body);
  assertError(await get('/v1/models/tiny/versions/9'), 404, 'version 9');
  assertError(await get('/v1/models/nope'), 404, 'nope');
});

t('metadata names the input fit trained on and the output, in both APIs', async () => {
  const tf = await get('/v1/models/tiny/metadata');
  assert.equal(tf.status, 200);
  assert.equal(tf.body.model_spec, { name: 'tiny', signature_name: '', version: '1' });
  const sig = tf.body.metadata.signature_def.signature_def.serving_default;
  assert.equal(sig.inputs.input.dtype, 'DT_FLOAT');
  assert.equal(sig.inputs.input.tensor_shape.dim.map((d: { size: string }) => d.size), ['-1', '4']);
  assert.equal(sig.outputs.output.tensor_shape.dim.map((d: { size: string }) => d.size), ['-1', '3']);
  assert.equal(sig.method_name, 'tensorflow/serving/predict');
  const v2 = await get('/v2/models/tiny');
  assert.equal(v2.body, { name: 'tiny', versions: ['1'], platform: 'dawngrad', inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }], outputs: [{ name: 'output', datatype: 'FP32', shape: [-1, 3] }] });
  assert.equal((await get('/v2/models/tiny/versions/1')).body, v2.body);
});

t(':predict in row and columnar form, and :classify, match in-process predict', async () => {
  const x = rows(3, 11);
  const want = await expected(tiny, x);
  const row = await post('/v1/models/tiny:predict', { instances: x });
  assert.equal(row.status, 200);
  assertRows(row.body.predictions, want, 'instances');
  assertRows((await post('/v1/models/tiny:predict', { instances: x.map((input) => ({ input })) })).body.predictions, want, 'named instances');
  assertRows((await post('/v1/models/tiny/versions/1:predict', { inputs: x })).body.outputs, want, 'inputs');
  assertRows((await post('/v1/models/tiny:predict', { inputs: { input: x } })).body.outputs, want, 'named inputs');
  const classify = await post('/v1/models/tiny:classify', { examples: x.map((input) => ({ input })) });
  assert.equal(classify.status, 200);
  const probs = (await (await tiny.predict(dg.tensor(x))).softmax(-1).array()) as number[][];
  classify.body.result.forEach((pairs: [string, number][], i: number) => {
    assert.equal(pairs.map((p) => p[0]), ['0', '1', '2']);
    assertClose(pairs.map((p) => p[1]), probs[i]!, { atol: 1e-6, rtol: 1e-5 }, `classify example ${i}`);
  });
});

t(':classify of a model ending in Sigmoid reads its one output as the probability of class 1', async () => {
  const x = rows(3, 16);
  const p = (await expected(binary, x)).map((r) => r[0]!);
  const res = await post('/v1/models/binary:classify', { examples: x.map((input) => ({ input })) });
  assert.equal(res.status, 200);
  res.body.result.forEach((pairs: [string, number][], i: number) => {
    assert.equal(pairs.map((q) => q[0]), ['0', '1']);
    assertClose(pairs.map((q) => q[1]), [1 - p[i]!, p[i]!], TOL, `example ${i}`);
  });
});

t('KServe v2: server metadata, health, model readiness and /infer matching in-process predict', async () => {
  assert.equal((await get('/v2')).body.name, 'dawngrad');
  assert.equal((await get('/v2/health/live', {})).body, { live: true });
  assert.equal((await get('/v2/health/ready', {})).status, 200);
  assert.equal((await get('/v2/models/tiny/ready')).body, { name: 'tiny', ready: true });
  const x = rows(2, 12);
  const res = await post('/v2/models/tiny/infer', { id: 'req-1', inputs: [{ name: 'input', shape: [2, 4], datatype: 'FP32', data: x.flat() }] });
  assert.equal(res.status, 200);
  assert.equal([res.body.model_name, res.body.model_version, res.body.id], ['tiny', '1', 'req-1']);
  const [out] = res.body.outputs;
  assert.equal([out.name, out.datatype, out.shape], ['output', 'FP32', [2, 3]]);
  assertClose(out.data, (await expected(tiny, x)).flat(), TOL, 'infer');
  const nested = await post('/v2/models/tiny/versions/1/infer', { inputs: [{ name: 'input', shape: [2, 4], datatype: 'FP32', data: x }] });
  assertClose(nested.body.outputs[0].data, out.data, TOL, 'nested data');
  // numpy clients declare FP64 by default; the values are read as float32 like any JSON number.
  const fp64 = await post('/v2/models/tiny/infer', { inputs: [{ name: 'input', shape: [2, 4], datatype: 'FP64', data: x.flat() }], outputs: [{ name: 'output' }] });
  assert.equal(fp64.body.outputs[0].data, out.data);
  assert.equal((await post('/v1/models/tiny:predict', { signature_name: 'serving_default', instances: x })).status, 200);
  assert.type(nested.body.id, 'string');
});

t('NaN and Infinity are accepted as TF Serving takes them: bare tokens or strings', async () => {
  const x = [[Number.NaN, 1, 2, 3], [0, Number.POSITIVE_INFINITY, 0, Number.NEGATIVE_INFINITY]];
  const want = await expected(tiny, x);
  const bare = await post('/v1/models/tiny:predict', '{"instances": [[NaN, 1, 2, 3], [0, Infinity, 0, -Infinity]]}');
  const quoted = await post('/v1/models/tiny:predict', '{"instances": [["NaN", 1, 2, 3], [0, "Infinity", 0, "-Infinity"]]}');
  for (const a of [bare, quoted]) {
    assert.equal(a.status, 200, `body ${String(a.body)}`);
    // Non-finite outputs come back as bare tokens too, which JSON.parse cannot read.
    const body = (typeof a.body === 'string' ? parseJson(a.body) : a.body) as { predictions: number[][] };
    assert.equal(body.predictions.flat().map(String), want.flat().map((v) => String(Math.fround(v))));
  }
});

t('invalid input is answered 400 naming the input and the expected shape', async () => {
  const shape = 'float32 of shape [-1, 4]';
  assertError(await post('/v1/models/tiny:predict', { instances: [[1, 2, 3]] }), 400, "'input'", shape, '[1, 3]');
  assertError(await post('/v1/models/tiny:predict', { instances: [[1, 2, 3, 4], [1, 2, 3]] }), 400, "'input'", shape, 'ragged');
  assertError(await post('/v1/models/tiny:predict', { instances: [1, 2, 3, 4] }), 400, shape, '[4]');
  assertError(await post('/v1/models/tiny:predict', { instances: [[1, 2, 'x', 4]] }), 400, shape, '"x"');
  assertError(await post('/v1/models/tiny:predict', { instances: [] }), 400, shape, 'no examples');
  assertError(await post('/v1/models/tiny:predict', { instances: [[1, 2, 3, 4]], inputs: [[1, 2, 3, 4]] }), 400, 'not both');
  assertError(await post('/v1/models/tiny:predict', { signature_name: '' }), 400, 'neither', shape);
  assertError(await post('/v1/models/tiny:predict', { instances: [{ image: [1, 2, 3, 4] }] }), 400, "'image'", "'input'");
  assertError(await post('/v1/models/tiny:predict', '{"instances": [[1, 2'), 400, 'not valid JSON');
  const v2 = (input: object) => post('/v2/models/tiny/infer', { inputs: [{ name: 'input', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4], ...input }] });
  assertError(await v2({ shape: [1, 5], data: [1, 2, 3, 4, 5] }), 400, "'input'", shape, '[1, 5]');
  assertError(await v2({ shape: [2, 4] }), 400, 'holds 8 values', '4');
  assertError(await v2({ datatype: 'INT64' }), 400, 'FP32', 'INT64');
  assertError(await post('/v2/models/tiny/infer', { inputs: [{ name: 'input', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }], outputs: [{ name: 'logits' }] }), 400, '"logits"', "'output'");
  assertError(await post('/v1/models/tiny:predict', { signature_name: 'train', instances: [[1, 2, 3, 4]] }), 400, '"train"', 'serving_default');
  assertError(await v2({ name: 'x' }), 400, '"x"', "'input'");
  assertError(await post('/v2/models/tiny/infer', { inputs: [] }), 400, '"inputs" must be');
});

t('without the API key: 401 with WWW-Authenticate; the health checks stay open', async () => {
  const none = await post('/v1/models/tiny:predict', { instances: rows(1, 1) }, {});
  assertError(none, 401, 'Bearer');
  assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer realm="dawngrad"/);
  assertError(await get('/v2/models/tiny', { authorization: 'Bearer wrong' }), 401, 'not valid');
  assertError(await get('/metrics', {}), 401);
  assertError(await get('/v1/models/tiny', { authorization: KEY }), 401);
  assert.equal((await get('/v2/health/live', {})).status, 200);
  assert.equal((await get('/v2/health/ready', {})).status, 200);
});

t('a body over --body-limit is answered 413', async () => {
  const big = { instances: Array.from({ length: 2000 }, () => [0.123456789, 0.123456789, 0.123456789, 0.123456789]) };
  assertError(await post('/v1/models/tiny:predict', big), 413, '65536');
});

t('unknown models, versions and routes are 404, and path segments cannot reach outside the base path', async () => {
  assertError(await post('/v1/models/nope:predict', { instances: rows(1, 1) }), 404, 'nope');
  assertError(await post('/v1/models/tiny/versions/5:predict', { instances: rows(1, 1) }), 404, 'tiny');
  assertError(await post('/v1/models/tiny:explode', { instances: rows(1, 1) }), 404);
  assertError(await post('/v2/models/nope/infer', { inputs: [] }), 404, 'nope');
  assertError(await get('/v3/anything'), 404);
  assertError(await post(`/v1/models/${'a'.repeat(128)}/versions/1:predict`, { instances: rows(1, 1) }), 404, 'Servable not found');
  for (const path of ['/v1/models/..%2F..%2Fetc%2Fpasswd:predict', '/v1/models/%2E%2E:predict', '/v2/models/..%2Ftiny/infer', '/v1/models/tiny%2F..%2F..%2Ftiny:predict']) {
    const a = await post(path, { instances: rows(1, 1) });
    assert.ok(a.status === 404 || a.status === 400, `${path}: ${a.status} ${JSON.stringify(a.body)}`);
  }
  assertError(await post('/v1/models/tiny/versions/..:predict', { instances: rows(1, 1) }), 400, 'positive integer');
});

t('a model that throws answers 500 for its batch, and the server keeps serving', async () => {
  const bad = await post('/v1/models/fail:predict', { instances: [[FAIL_MARKER, 0, 0, 0]] });
  assertError(bad, 500, 'FailOnMarker');
  assert.match(server.log(), /model 'fail' version 1 failed on a batch of 1: Error: FailOnMarker/);
  const x = rows(2, 13);
  const good = await post('/v1/models/fail:predict', { instances: x });
  assert.equal(good.status, 200);
  assertRows(good.body.predictions, await expected(failing, x), 'after the failure');
});

t('batching: 64 concurrent requests with different inputs each get their own answer, in batches > 1', async () => {
  const before = await get('/metrics');
  const batchesBefore = metricValue(before.body, 'dawngrad_batch_size_count', { model: 'tiny' });
  const inputs = Array.from({ length: 64 }, (_, i) => rows(1 + (i % 3), 100 + i));
  const answers = await Promise.all(inputs.map((x) => post('/v1/models/tiny:predict', { instances: x })));
  for (const [i, a] of answers.entries()) {
    assert.equal(a.status, 200, `request ${i}`);
    assertRows(a.body.predictions, await expected(tiny, inputs[i]!), `request ${i}`);
  }
  const after = (await get('/metrics')).body as string;
  const batches = metricValue(after, 'dawngrad_batch_size_count', { model: 'tiny' }) - batchesBefore;
  const examples = inputs.reduce((n, x) => n + x.length, 0);
  assert.ok(batches < 64, `64 requests ran in ${batches} forward passes: some were batched`);
  const single = metricValue(after, 'dawngrad_batch_size_bucket', { model: 'tiny', le: '1' }) - metricValue(before.body, 'dawngrad_batch_size_bucket', { model: 'tiny', le: '1' });
  assert.ok(batches - single > 0, 'the batch-size histogram shows batches larger than 1');
  const rowsRun = metricValue(after, 'dawngrad_batch_size_sum', { model: 'tiny' }) - metricValue(before.body, 'dawngrad_batch_size_sum', { model: 'tiny' });
  assert.equal(rowsRun, examples);
});

t('/metrics: requests by model, API and code, latency, queue depth, model loads, process metrics', async () => {
  const text = (await get('/metrics')).body as string;
  assert.ok(metricValue(text, 'dawngrad_requests_total', { model: 'tiny', api: 'tfserving', code: '200' }) > 0);
  assert.ok(metricValue(text, 'dawngrad_requests_total', { model: 'tiny', api: 'tfserving', code: '400' }) > 0);
  assert.ok(metricValue(text, 'dawngrad_requests_total', { model: 'tiny', api: 'kserve', code: '200' }) > 0);
  assert.ok(metricValue(text, 'dawngrad_requests_total', { model: 'fail', api: 'tfserving', code: '500' }) >= 1);
  assert.ok(metricValue(text, 'dawngrad_requests_total', { model: '', code: '401' }) + metricValue(text, 'dawngrad_requests_total', { model: 'tiny', code: '401' }) > 0);
  assert.ok(metricValue(text, 'dawngrad_request_duration_seconds_count', { model: 'tiny', api: 'kserve' }) > 0);
  assert.match(text, /^dawngrad_queue_depth\{model="tiny"\} 0$/m);
  assert.equal(metricValue(text, 'dawngrad_model_loads_total', { model: 'tiny', version: '1', result: 'success' }), 1);
  assert.match(text, /^process_cpu_user_seconds_total /m);
  assert.match(text, /^nodejs_heap_size_used_bytes /m);
});

t('hot reload: a new version directory is served, with no failed request in a stream during the swap', async () => {
  dg.manualSeed(8);
  const v2 = new dg.nn.Sequential(new dg.nn.Linear(4, 16), new dg.nn.ReLU(), new dg.nn.Linear(16, 3));
  const x = rows(2, 14);
  const [want1, want2] = [await expected(tiny, x), await expected(v2, x)];
  let stop = false;
  const failures: string[] = [];
  const served = new Set<string>();
  const stream = async () => {
    while (!stop) {
      const a = await post('/v1/models/tiny:predict', { instances: x });
      if (a.status !== 200) failures.push(`${a.status} ${JSON.stringify(a.body)}`);
      else served.add(JSON.stringify(a.body.predictions) === JSON.stringify(want2) ? 'v2' : 'v1');
    }
  };
  const streams = [stream(), stream(), stream()];
  // Requests go out before and after the swap (300 ms each way), so both versions answer some.
  await new Promise((r) => setTimeout(r, 300));
  await saveVersion(v2, 'tiny', 2, { inputShape: [4] });
  await until('version 2 to be served', async () => (await get('/v1/models/tiny/versions/2')).body?.model_version_status?.[0]?.state === 'AVAILABLE');
  await new Promise((r) => setTimeout(r, 300));
  stop = true;
  await Promise.all(streams);
  assert.equal(failures, []);
  assert.equal([...served].sort(), ['v1', 'v2']);
  assertRows((await post('/v1/models/tiny:predict', { instances: x })).body.predictions, want2, 'after the swap');
  assert.not.equal(want1, want2);
  const status = (await get('/v1/models/tiny')).body.model_version_status;
  assert.equal(status.map((v: { version: string; state: string }) => [v.version, v.state]), [['2', 'AVAILABLE'], ['1', 'END']]);
  assertError(await post('/v1/models/tiny/versions/1:predict', { instances: x }), 404, 'END');
});

t('a corrupt new version leaves the old one serving and shows its error in the status', async () => {
  const x = rows(2, 15);
  const before = (await post('/v1/models/tiny:predict', { instances: x })).body.predictions;
  mkdirSync(join(base, 'tiny', '3'));
  writeFileSync(join(base, 'tiny', '3', 'tmp'), 'this is not a safetensors file');
  renameSync(join(base, 'tiny', '3', 'tmp'), join(base, 'tiny', '3', 'model.safetensors'));
  await until('version 3 to fail', async () => (await get('/v1/models/tiny/versions/3')).body?.model_version_status?.[0]?.state === 'END');
  const v3 = (await get('/v1/models/tiny/versions/3')).body.model_version_status[0];
  assert.equal(v3.status.error_code, 'UNKNOWN');
  assert.ok(v3.status.error_message.includes('model.safetensors'), v3.status.error_message);
  assert.equal((await post('/v1/models/tiny:predict', { instances: x })).body.predictions, before);
  assert.equal((await get('/v2/models/tiny')).body.versions, ['2']);
  const loads = (await get('/metrics')).body as string;
  assert.equal(metricValue(loads, 'dawngrad_model_loads_total', { model: 'tiny', version: '3', result: 'failure' }), 1);
});

t('a version whose file resolves outside the base path is refused: its status says so, predict 503, not ready', async () => {
  const outside = join(dir, 'outside');
  mkdirSync(outside);
  await dg.save(tiny, join(outside, 'model.safetensors'));
  mkdirSync(join(base, 'escape'));
  symlinkSync(outside, join(base, 'escape', '1'));
  await until('the escape model to be seen', async () => (await get('/v1/models/escape')).status === 200);
  const v1 = (await get('/v1/models/escape')).body.model_version_status[0];
  assert.equal([v1.state, v1.status.error_code], ['END', 'INVALID_ARGUMENT']);
  assert.ok(v1.status.error_message.includes('outside the base path'), v1.status.error_message);
  assertError(await post('/v1/models/escape:predict', { instances: rows(1, 1) }), 503, 'no version available');
  assert.equal((await get('/v2/models/escape/ready')).status, 503);
  assert.equal((await get('/v2/health/ready', {})).status, 503);
  rmSync(join(base, 'escape'), { recursive: true });
});

t('the base path vanishing for a while stops nothing: the served versions keep answering', async () => {
  const x = rows(1, 17);
  const before = (await post('/v1/models/tiny:predict', { instances: x })).body.predictions;
  renameSync(base, `${base}-away`);
  await new Promise((r) => setTimeout(r, 400));
  const during = await post('/v1/models/tiny:predict', { instances: x });
  renameSync(`${base}-away`, base);
  assert.equal([during.status, during.body.predictions], [200, before]);
  assert.is(server.child.exitCode, null, 'the server is still running');
});

t.run();
