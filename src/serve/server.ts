// The HTTP server: fastify (fast routing and JSON replies, a body limit enforced while reading,
// and a close() that stops accepting and lets in-flight requests finish), with both REST APIs,
// bearer-token auth, Prometheus metrics, and errors as { "error": message } everywhere.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { LIVENESS_PATH, METRICS_PATH, READINESS_PATH } from './constants.js';
import { badRequest, ServeError } from './errors.js';
import { parseJson } from './json.js';
import { kserveRoutes } from './kserve.js';
import { type Api, ServeMetrics } from './metrics.js';
import type { ServeOptions } from './options.js';
import type { Registry } from './registry.js';
import type { Servable } from './servable.js';
import type { HostTensor } from './tensors.js';
import { tfServingRoutes } from './tfserving.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The model a request is for, when the registry knows that name ('' otherwise): the metrics label. */
    dgModel: string;
  }
}

const OPEN_PATHS = new Set([LIVENESS_PATH, READINESS_PATH]);

const packageVersion = (): string => {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    // dist/src/serve/ is one folder deeper than src/serve/.
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  }
};

function apiOf(url: string): Api {
  if (url.startsWith('/v1/')) return 'tfserving';
  if (url.startsWith('/v2/health')) return 'health';
  if (url.startsWith('/v2')) return 'kserve';
  if (url.startsWith(METRICS_PATH)) return 'metrics';
  return 'other';
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export interface Server {
  app: FastifyInstance;
  metrics: ServeMetrics;
  /** Listens; resolves with the address (the real port when options.port is 0). */
  listen(): Promise<string>;
  /** Stops accepting, and answers every request already received (the process exits after). */
  shutdown(): Promise<void>;
}

export function createServer(registry: Registry, options: ServeOptions, metrics = new ServeMetrics()): Server {
  const app = Fastify({
    bodyLimit: options.bodyLimit,
    // A client that sends its request slower than the request timeout is cut off (no slow-body hold-ups).
    requestTimeout: options.requestTimeoutMs,
    // Names are up to 128 characters, plus a version and a verb in the same wildcard segment.
    routerOptions: { maxParamLength: 512 },
    logger: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  const state = { draining: false, version: packageVersion() };
  const key = options.apiKey === null ? null : digest(options.apiKey);

  app.decorateRequest('dgModel', '');
  // Any content type is read as JSON: `curl -d` sends application/x-www-form-urlencoded, and TF Serving takes that too.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJson(body as string));
    } catch (e) {
      done(badRequest(`the request body is not valid JSON: ${(e as Error).message.slice(0, 200)}`), undefined);
    }
  });

  app.addHook('onRequest', async (req, reply) => {
    if (key === null || OPEN_PATHS.has(req.url.split('?')[0]!)) return;
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : null;
    if (token === null || !timingSafeEqual(digest(token), key)) {
      reply.header('WWW-Authenticate', `Bearer realm="dawngrad"${token === null ? '' : ', error="invalid_token"'}`);
      throw new ServeError(401, token === null ? 'this server needs an API key: send "Authorization: Bearer <key>"' : 'the API key is not valid');
    }
  });

  // While shutting down, every answer closes its connection: a keep-alive connection left idle
  // would hold close() open until its timeout (72 s by default).
  app.addHook('onSend', async (_req, reply) => {
    if (state.draining) reply.header('connection', 'close');
  });

  app.addHook('onResponse', async (req, reply) => {
    const api = apiOf(req.url);
    metrics.requests.inc({ model: req.dgModel, api, code: String(reply.statusCode) });
    if (api === 'tfserving' || api === 'kserve') metrics.latency.observe({ model: req.dgModel, api }, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((error: FastifyError | ServeError, _req, reply) => {
    const status = error instanceof ServeError ? error.status : error.statusCode ?? 500;
    if (status >= 500 && !(error instanceof ServeError)) process.stderr.write(`serve: internal error: ${error.stack ?? error.message}\n`);
    const message = !(error instanceof ServeError) && error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? `the request body is larger than the limit of ${options.bodyLimit} bytes` : error.message;
    return reply.code(status).type('application/json').send({ error: message });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: `no route for ${req.method} ${req.url.slice(0, 200)}` }));

  // Requests that reached a handler are served even while shutting down (that is what
  // finishing in-flight work means); new ones get fastify's 503 once close() has begun.
  const predict = (s: Servable, input: HostTensor): Promise<HostTensor> => s.batcher.submit(input, options.requestTimeoutMs);
  tfServingRoutes(app, registry, predict);
  kserveRoutes(app, registry, predict, state);
  app.get(METRICS_PATH, async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));

  return {
    app,
    metrics,
    listen: () => app.listen({ port: options.port, host: options.host }),
    async shutdown() {
      state.draining = true;
      // The queues run now instead of waiting out their batch windows; close() waits for the answers.
      await Promise.all([app.close(), registry.stop()]);
    },
  };
}
