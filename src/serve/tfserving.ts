// TensorFlow Serving's REST API (https://www.tensorflow.org/tfx/serving/api_rest), so its
// clients work unchanged: model status, metadata, :predict in row ("instances") and columnar
// ("inputs") form, and :classify for a model whose output is [batch, classes].
import type { FastifyInstance } from 'fastify';
import { badRequest, notFound } from './errors.js';
import { nestedJson, toJson } from './json.js';
import type { Registry, VersionStatus } from './registry.js';
import { resolveServable } from './resolve.js';
import type { Servable } from './servable.js';
import { INPUT_NAME } from './signature.js';
import { brief, describeSpec, fromNested, type HostTensor, type TensorSpec } from './tensors.js';

/** `name`, `name/versions/7`, each optionally followed by `/metadata` (GET) or `:verb` (POST). */
const PATH = /^([^/:]+)(?:\/versions\/([^/:]+))?(\/metadata|:[a-z]+)?$/;

export interface Route {
  name: string;
  version?: string;
  suffix: string;
}

export function parseModelPath(rest: string): Route | null {
  const m = PATH.exec(rest);
  return m ? { name: m[1]!, version: m[2], suffix: m[3] ?? '' } : null;
}

const DTYPES = { float32: 'DT_FLOAT', int32: 'DT_INT32' } as const;

function tensorInfo(spec: TensorSpec) {
  return {
    dtype: DTYPES[spec.dtype],
    tensor_shape: spec.shape ? { dim: spec.shape.map((d) => ({ size: String(d), name: '' })), unknown_rank: false } : { dim: [], unknown_rank: true },
    name: spec.name,
  };
}

function statusJson(v: VersionStatus) {
  return { version: v.version, state: v.state, status: { error_code: v.errorCode, error_message: v.errorMessage } };
}

/** The one input's value out of `inputs` (a tensor, or { input: tensor }). */
function columnar(spec: TensorSpec, inputs: unknown): unknown {
  if (inputs !== null && typeof inputs === 'object' && !Array.isArray(inputs)) return namedValue(spec, inputs as Record<string, unknown>, '"inputs"');
  return inputs;
}

function namedValue(spec: TensorSpec, obj: Record<string, unknown>, where: string): unknown {
  const keys = Object.keys(obj);
  const unknown = keys.find((k) => k !== spec.name);
  if (unknown !== undefined || keys.length === 0) {
    throw badRequest(`${where} names ${unknown === undefined ? 'no input' : `the input '${unknown.slice(0, 64)}'`}; the model has one input, '${spec.name}' (${describeSpec(spec)})`);
  }
  return obj[spec.name];
}

/** `instances`: a list of examples, each a value or { input: value }. */
function rows(spec: TensorSpec, instances: unknown): unknown {
  if (!Array.isArray(instances)) throw badRequest(`"instances" must be a list of examples for input '${spec.name}' (${describeSpec(spec)})`);
  return instances.map((r, i) => (r !== null && typeof r === 'object' && !Array.isArray(r) ? namedValue(spec, r as Record<string, unknown>, `instance ${i}`) : r));
}

/** The one signature there is; TF Serving's clients name it 'serving_default' or leave it out. */
function checkSignatureName(body: Record<string, unknown>): void {
  const name = body.signature_name;
  if (name !== undefined && name !== '' && name !== 'serving_default') {
    throw badRequest(`unknown signature_name ${brief(name)}; the model has one signature, 'serving_default'`);
  }
}

function predictInput(s: Servable, body: unknown): { input: HostTensor; columnar: boolean } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the request body must be a JSON object with "instances" or "inputs"');
  const b = body as Record<string, unknown>;
  checkSignatureName(b);
  if (b.instances !== undefined && b.inputs !== undefined) throw badRequest('give "instances" (row format) or "inputs" (columnar format), not both');
  if (b.instances !== undefined) return { input: fromNested(s.input, rows(s.input, b.instances)), columnar: false };
  if (b.inputs !== undefined) return { input: fromNested(s.input, columnar(s.input, b.inputs)), columnar: true };
  throw badRequest(`the request has neither "instances" nor "inputs" (input '${s.input.name}': ${describeSpec(s.input)})`);
}

function classifyInput(s: Servable, body: unknown): HostTensor {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`:classify takes { "examples": [{ "${INPUT_NAME}": value }, ...] }`);
  checkSignatureName(body as Record<string, unknown>);
  const examples = (body as { examples?: unknown }).examples;
  if (!Array.isArray(examples)) throw badRequest(`:classify takes { "examples": [{ "${INPUT_NAME}": value }, ...] }`);
  return fromNested(s.input, examples.map((e, i) => {
    if (e === null || typeof e !== 'object' || Array.isArray(e)) throw badRequest(`example ${i} must be an object { "${s.input.name}": value }`);
    return namedValue(s.input, e as Record<string, unknown>, `example ${i}`);
  }));
}

/** [label, score] pairs per example: class indices as labels, softmax (or sigmoid for one column) of logits as scores. */
function classes(s: Servable, out: HostTensor): [string, number][][] {
  if (out.shape.length !== 2) throw badRequest(`:classify needs a model whose output is [batch, classes]; this one's is [${out.shape.join(', ')}]`);
  const [n, c] = out.shape as [number, number];
  const probs = s.probabilities;
  const result: [string, number][][] = [];
  for (let i = 0; i < n; i++) {
    const row = Array.from(out.data.subarray(i * c, (i + 1) * c));
    if (c === 1) {
      const p = probs ? row[0]! : 1 / (1 + Math.exp(-row[0]!));
      result.push([['0', 1 - p], ['1', p]]);
      continue;
    }
    let scores = row;
    if (!probs) {
      const max = Math.max(...row);
      const e = row.map((v) => Math.exp(v - max));
      const sum = e.reduce((a, b) => a + b, 0);
      scores = e.map((v) => v / sum);
    }
    result.push(scores.map((p, k) => [String(k), Math.fround(p)]));
  }
  return result;
}

export function tfServingRoutes(app: FastifyInstance, registry: Registry, predict: (s: Servable, input: HostTensor) => Promise<HostTensor>): void {
  app.get('/v1/models/*', async (req, reply) => {
    const route = parseModelPath((req.params as { '*': string })['*']);
    if (!route || route.suffix.startsWith(':')) throw notFound(`no route for GET ${req.url.slice(0, 200)}`);
    req.dgModel = registry.model(route.name) ? route.name : '';
    if (route.suffix === '/metadata') {
      const s = resolveServable(registry, route.name, route.version);
      return reply.type('application/json').send(toJson({
        model_spec: { name: s.name, signature_name: '', version: s.version },
        metadata: { signature_def: { signature_def: { serving_default: {
          inputs: { [s.input.name]: tensorInfo(s.input) },
          outputs: { [s.output.name]: tensorInfo(s.output) },
          method_name: 'tensorflow/serving/predict',
        } } } },
      }));
    }
    const entry = registry.model(route.name);
    if (!entry) throw notFound(`Could not find any versions of model ${route.name.slice(0, 128)}`);
    const versions = [...entry.versions.values()].sort((a, b) => Number(b.version) - Number(a.version));
    const shown = route.version === undefined ? versions : versions.filter((v) => v.version === String(Number(route.version)));
    if (shown.length === 0) throw notFound(`Could not find version ${route.version!.slice(0, 40)} of model ${route.name}`);
    return { model_version_status: shown.map(statusJson) };
  });

  app.post('/v1/models/*', async (req, reply) => {
    const route = parseModelPath((req.params as { '*': string })['*']);
    if (!route || (route.suffix !== ':predict' && route.suffix !== ':classify')) throw notFound(`no route for POST ${req.url.slice(0, 200)} (expected /v1/models/NAME[/versions/V]:predict or :classify)`);
    req.dgModel = registry.model(route.name) ? route.name : '';
    const s = resolveServable(registry, route.name, route.version);
    if (route.suffix === ':classify') {
      const out = await predict(s, classifyInput(s, req.body));
      return reply.type('application/json').send(toJson({ result: classes(s, out) }));
    }
    const { input, columnar: col } = predictInput(s, req.body);
    const out = await predict(s, input);
    return reply.type('application/json').send(toJson({ [col ? 'outputs' : 'predictions']: nestedJson(out.data, out.shape) }));
  });
}

