// Runs `dawngrad serve` as a child process on a free loopback port (--port 0; the port is read
// from its "listening on" line) and talks to it with fetch. Bounded: a server that does not
// come up in `startMs` fails the test with its stderr, and `kill()` never waits forever.
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '../..');
export const BIN = resolve(repo, 'bin/dawngrad.js');

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** Everything the server wrote to stderr so far. */
  log(): string;
  /** Resolves with the exit code (null if killed by a signal). */
  exited: Promise<number | null>;
  /** SIGKILL if still running. */
  kill(): void;
}

/** `node [--import preload] bin/dawngrad.js serve ...args --port 0`. */
export async function startServe(args: string[], options: { preload?: string; env?: NodeJS.ProcessEnv; startMs?: number } = {}): Promise<ServeProcess> {
  const nodeArgs = options.preload ? ['--import', 'tsx', '--import', options.preload] : [];
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'serve', ...args, '--port', '0', '--host', '127.0.0.1'], {
    cwd: repo,
    env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp', ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`dawngrad serve did not start in ${options.startMs ?? 30000} ms:\n${stderr}`)), options.startMs ?? 30000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        done(m[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`dawngrad serve exited with ${code} before listening:\n${stderr}`));
    });
  });
  return { child, url, log: () => stderr, exited, kill: () => { if (child.exitCode === null) child.kill('SIGKILL'); } };
}

export interface Answer {
  status: number;
  // any: the assertions read whatever JSON the endpoint answers.
  body: any;
  headers: Headers;
}

/** One request; the body is sent as JSON (a string is sent as it is). */
export async function call(url: string, method: 'GET' | 'POST', body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(20000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // /metrics is text; an unparsable body stays a string for the assertion to show.
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** A metric's value from Prometheus text (the sum over the series that match every label given). */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

/** Polls `check` every 50 ms until it returns true, or fails after `ms`. */
export async function until(what: string, check: () => Promise<boolean>, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}
