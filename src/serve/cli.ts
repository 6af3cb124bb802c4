// `dawngrad serve`: the command line (commander) over the registry and the HTTP server.
// bin/dawngrad.js starts it, from dist/ in an installed package or from source in a checkout.
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { backend, init } from '../index.js';
import { DEFAULT_HOST, DEFAULT_PORT } from './constants.js';
import { API_KEY_ENV, DEFAULTS, type ServeOptions } from './options.js';
import { ServeMetrics } from './metrics.js';
import { Registry } from './registry.js';
import { createServer } from './server.js';

const int = (min: number) => (text: string): number => {
  const v = Number(text);
  if (!Number.isInteger(v) || v < min) throw new InvalidArgumentError(`expected an integer >= ${min}, got '${text}'`);
  return v;
};

export interface ServeFlags {
  model?: string;
  name?: string;
  modelBasePath?: string;
  port: number;
  host: string;
  backend?: 'webgpu' | 'cpu';
  maxBatchSize: number;
  batchTimeoutMs: number;
  maxQueue: number;
  requestTimeoutMs: number;
  bodyLimit: number;
  apiKeyFile?: string;
  pollIntervalMs: number;
}

function apiKey(flags: ServeFlags): string | null {
  const key = flags.apiKeyFile !== undefined ? readFileSync(flags.apiKeyFile, 'utf8').trim() : process.env[API_KEY_ENV]?.trim();
  if (key === undefined) return null;
  if (key.length === 0) throw new Error(`the API key ${flags.apiKeyFile !== undefined ? `in '${flags.apiKeyFile}'` : `in ${API_KEY_ENV}`} is empty`);
  return key;
}

export type ModelSource = { kind: 'file'; name: string; path: string } | { kind: 'base'; path: string };

/** The flags checked and turned into the server's options and where its models come from; throws a one-line reason. */
export function resolveFlags(flags: ServeFlags): { options: ServeOptions; source: ModelSource } {
  if ((flags.model === undefined) === (flags.modelBasePath === undefined)) throw new Error('give --model FILE --name NAME, or --model-base-path DIR');
  if (flags.model !== undefined && flags.name === undefined) throw new Error('--model needs --name (the NAME in /v1/models/NAME)');
  if (flags.modelBasePath !== undefined && flags.name !== undefined) throw new Error('--name goes with --model; under --model-base-path each folder name is a model name');
  const options: ServeOptions = {
    port: flags.port,
    host: flags.host,
    batching: { maxBatchSize: flags.maxBatchSize, batchTimeoutMs: flags.batchTimeoutMs, maxQueue: flags.maxQueue },
    requestTimeoutMs: flags.requestTimeoutMs,
    bodyLimit: flags.bodyLimit,
    apiKey: apiKey(flags),
    pollIntervalMs: flags.pollIntervalMs,
  };
  const source: ModelSource = flags.model !== undefined ? { kind: 'file', name: flags.name!, path: flags.model } : { kind: 'base', path: flags.modelBasePath! };
  return { options, source };
}

async function serve(flags: ServeFlags): Promise<void> {
  const { options, source } = resolveFlags(flags);
  await init(flags.backend ? { backend: flags.backend } : {});
  const metrics = new ServeMetrics();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const hooks = {
    log,
    onLoad: (model: string, version: string, ok: boolean) => {
      metrics.loads.inc({ model, version, result: ok ? 'success' : 'failure' });
      if (ok) metrics.servedVersion.set({ model }, Number(version));
    },
    onBatch: (model: string, rows: number) => metrics.batchSize.observe({ model }, rows),
    onQueueDepth: (model: string, depth: number) => metrics.queueDepth.set({ model }, depth),
  };
  const registry = source.kind === 'file'
    ? Registry.file(source.name, source.path, options.batching, hooks)
    : Registry.basePath(source.path, options.pollIntervalMs, options.batching, hooks);
  await registry.start();
  const server = createServer(registry, options, metrics);
  const address = await server.listen();
  const models = registry.names().map((n) => `${n} v${registry.model(n)?.served?.version ?? '-'}`).join(', ');
  log(`dawngrad serve: listening on ${address} (backend ${backend()}; models: ${models || 'none yet'}; auth ${options.apiKey ? 'on' : 'off'})`);

  let stopping = false;
  const stop = (signal: string) => {
    // A second signal does not wait: the operator wants it gone.
    if (stopping) process.exit(1);
    stopping = true;
    log(`dawngrad serve: ${signal}: finishing in-flight requests`);
    server.shutdown().then(() => {
      log('dawngrad serve: stopped');
      process.exit(0);
    }, (e: unknown) => {
      log(`dawngrad serve: shutdown failed: ${(e as Error).message}`);
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** The command line; `action` (default: start the server) receives the parsed serve flags. */
export function program(action: (flags: ServeFlags) => Promise<void> = runServe): Command {
  const cli = new Command('dawngrad').description('dawngrad command line').showHelpAfterError();
  cli.command('serve')
    .description('serve models over HTTP with the TensorFlow Serving (/v1) and KServe v2 (/v2) REST APIs')
    .option('--model <file>', 'one model file saved with dg.save (served as version 1)')
    .option('--name <name>', 'the model name in URLs, with --model')
    .option('--model-base-path <dir>', 'serve DIR/<name>/<version>/model.safetensors: the highest version of each; new versions are picked up without a restart')
    .option('--port <n>', 'port (0: any free one)', int(0), DEFAULT_PORT)
    .option('--host <host>', 'address to listen on (0.0.0.0 for every interface)', DEFAULT_HOST)
    .addOption(new Option('--backend <name>', 'compute backend (default: webgpu if an adapter exists, else cpu)').choices(['webgpu', 'cpu']))
    .option('--max-batch-size <n>', 'most examples joined into one forward pass (1: no batching)', int(1), DEFAULTS.batching.maxBatchSize)
    .option('--batch-timeout-ms <ms>', 'longest a request waits for others to join its batch', int(0), DEFAULTS.batching.batchTimeoutMs)
    .option('--max-queue <n>', 'requests waiting per model; more are answered 429', int(1), DEFAULTS.batching.maxQueue)
    .option('--request-timeout-ms <ms>', 'a request not answered by then gets 504', int(1), DEFAULTS.requestTimeoutMs)
    .option('--body-limit <bytes>', 'largest request body; larger ones get 413', int(1), DEFAULTS.bodyLimit)
    .option('--api-key-file <file>', `require "Authorization: Bearer <key>" with the key in this file (or in $${API_KEY_ENV}); health checks stay open`)
    .option('--poll-interval-ms <ms>', 'how often --model-base-path is scanned for new versions', int(10), DEFAULTS.pollIntervalMs)
    .action(action);
  return cli;
}

async function runServe(flags: ServeFlags): Promise<void> {
  try {
    await serve(flags);
  } catch (e) {
    process.stderr.write(`dawngrad serve: ${(e as Error).message}\n`);
    process.exit(1);
  }
}

export async function main(argv = process.argv): Promise<void> {
  await program().parseAsync(argv);
}
