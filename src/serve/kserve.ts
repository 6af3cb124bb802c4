// KServe's Open Inference Protocol (v2) REST API, as KServe, Seldon and Triton clients speak it:
// server and model metadata, liveness and readiness, and /infer with typed, shaped tensors.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { badRequest, notFound, unavailable } from './errors.js';
import { nestedJson, toJson } from './json.js';
import type { Registry } from './registry.js';
import { resolveServable } from './resolve.js';
import type { Servable } from './servable.js';
import { brief, fromFlat, type HostTensor, type TensorSpec } from './tensors.js';
import { parseModelPath } from './tfserving.js';
import { LIVENESS_PATH, READINESS_PATH } from './constants.js';

export const SERVER_NAME = 'dawngrad';
const DATATYPES = { float32: 'FP32', int32: 'INT32' } as const;
// What a request may declare for each input dtype: numpy clients send FP64 and INT64 by default,
// and JSON numbers carry any of these exactly enough (int32 range is checked per value).
const ACCEPTED = {
  float32: new Set(['FP32', 'FP64', 'FP16']),
  int32: new Set(['INT32', 'INT64', 'INT16', 'INT8', 'UINT32', 'UINT16', 'UINT8']),
} as const;

function tensorMetadata(spec: TensorSpec) {
  return { name: spec.name, datatype: DATATYPES[spec.dtype], shape: spec.shape ?? [-1] };
}

function inferInput(s: Servable, body: unknown): { id: string; input: HostTensor } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the request body must be a JSON object { "inputs": [...] }');
  const b = body as { id?: unknown; inputs?: unknown; outputs?: unknown };
  if (b.id !== undefined && typeof b.id !== 'string') throw badRequest(`"id" must be a string, got ${typeof b.id}`);
  if (b.outputs !== undefined) {
    if (!Array.isArray(b.outputs)) throw badRequest(`"outputs" must be a list like [{ "name": "${s.output.name}" }]`);
    const nameOf = (o: unknown) => (o as { name?: unknown } | null)?.name;
    const bad = b.outputs.find((o) => nameOf(o) !== s.output.name);
    if (bad !== undefined) throw badRequest(`"outputs" asks for ${brief(nameOf(bad))}; the model has one output, '${s.output.name}'`);
  }
  const spec = s.input;
  const expected = `[{ "name": "${spec.name}", "datatype": "${DATATYPES[spec.dtype]}", "shape": [${(spec.shape ?? [-1]).join(', ')}], "data": [...] }]`;
  if (!Array.isArray(b.inputs) || b.inputs.length !== 1) throw badRequest(`"inputs" must be ${expected}`);
  const t = b.inputs[0] as { name?: unknown; datatype?: unknown; shape?: unknown; data?: unknown } | null;
  if (t === null || typeof t !== 'object') throw badRequest(`"inputs" must be ${expected}`);
  if (t.name !== spec.name) throw badRequest(`unknown input ${brief(t.name)}; the model has one input, '${spec.name}': ${expected}`);
  if (typeof t.datatype !== 'string' || !ACCEPTED[spec.dtype].has(t.datatype)) {
    throw badRequest(`input '${spec.name}' has datatype ${DATATYPES[spec.dtype]} (${[...ACCEPTED[spec.dtype]].join(', ')} accepted), got ${brief(t.datatype)}`);
  }
  return { id: b.id ?? randomUUID(), input: fromFlat(spec, t.shape, t.data) };
}

export function kserveRoutes(app: FastifyInstance, registry: Registry, predict: (s: Servable, input: HostTensor) => Promise<HostTensor>, state: { draining: boolean; version: string }): void {
  app.get('/v2', async () => ({ name: SERVER_NAME, version: state.version, extensions: [] }));
  app.get(LIVENESS_PATH, async () => ({ live: true }));
  app.get(READINESS_PATH, async (_req, reply) => {
    const ready = !state.draining && registry.ready();
    return reply.code(ready ? 200 : 503).send(ready ? { ready } : { ready, error: state.draining ? 'the server is shutting down' : 'not every model has a version loaded' });
  });

  app.get('/v2/models/*', async (req) => {
    const rest = (req.params as { '*': string })['*'];
    const ready = rest.endsWith('/ready');
    const route = parseModelPath(ready ? rest.slice(0, -'/ready'.length) : rest);
    if (!route || route.suffix !== '') throw notFound(`no route for GET ${req.url.slice(0, 200)}`);
    req.dgModel = registry.model(route.name) ? route.name : '';
    const s = resolveServable(registry, route.name, route.version);
    if (ready) {
      if (state.draining) throw unavailable('the server is shutting down');
      return { name: s.name, ready: true };
    }
    return { name: s.name, versions: [s.version], platform: SERVER_NAME, inputs: [tensorMetadata(s.input)], outputs: [tensorMetadata(s.output)] };
  });

  app.post('/v2/models/*', async (req, reply) => {
    const rest = (req.params as { '*': string })['*'];
    const route = rest.endsWith('/infer') ? parseModelPath(rest.slice(0, -'/infer'.length)) : null;
    if (!route || route.suffix !== '') throw notFound(`no route for POST ${req.url.slice(0, 200)} (expected /v2/models/NAME[/versions/V]/infer)`);
    req.dgModel = registry.model(route.name) ? route.name : '';
    const s = resolveServable(registry, route.name, route.version);
    const { id, input } = inferInput(s, req.body);
    const out = await predict(s, input);
    return reply.type('application/json').send(toJson({
      model_name: s.name,
      model_version: s.version,
      id,
      outputs: [{ name: s.output.name, datatype: DATATYPES[out.data instanceof Int32Array ? 'int32' : 'float32'], shape: out.shape, data: nestedJson(out.data, [out.data.length]) }],
    }));
  });
}
