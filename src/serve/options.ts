// The server's settings, with the CLI's defaults. Ports and probe paths are in constants.ts,
// which deploy/ manifests rely on.
import type { BatchOptions } from './batcher.js';
import { DEFAULT_HOST, DEFAULT_PORT } from './constants.js';

export interface ServeOptions {
  port: number;
  host: string;
  batching: BatchOptions;
  /** Per request, from arrival to answer; past it the answer is 504. */
  requestTimeoutMs: number;
  /** Largest request body in bytes; larger ones are answered 413 before they are parsed. */
  bodyLimit: number;
  /** Bearer token every request but the health checks must carry; null: no auth. */
  apiKey: string | null;
  /** How often a base path is scanned for new versions (TF Serving's file_system_poll_wait_seconds). */
  pollIntervalMs: number;
}

export const DEFAULTS: ServeOptions = {
  port: DEFAULT_PORT,
  host: DEFAULT_HOST,
  // 64 examples fill a forward pass well on the GPU; 2 ms is little next to a forward pass,
  // and under load the queue fills while the previous batch runs anyway.
  batching: { maxBatchSize: 64, batchTimeoutMs: 2, maxQueue: 1024 },
  requestTimeoutMs: 30_000,
  bodyLimit: 16 * 1024 * 1024,
  apiKey: null,
  pollIntervalMs: 1000,
};

/** The environment variable holding the API key when --api-key-file is not given. */
export const API_KEY_ENV = 'DAWNGRAD_API_KEY';
