// The models being served and each version's state, as TF Serving reports them. Two sources:
// one file (`--model F --name N`, served as version 1), or a TF Serving base path
// (`DIR/<name>/<version>/model.safetensors`) polled for new versions: the highest version that
// loads is served; a newer one is loaded beside it and swapped in once ready (requests already
// queued on the old one finish there, so none fails); one that fails to load is reported with
// its error and the old one keeps serving. Names and versions come from directory entries that
// match strict patterns, and every file must resolve inside the base path, so neither a request
// nor a symlink can make the server read anything else.
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { BatchOptions } from './batcher.js';
import { Servable } from './servable.js';

export const MODEL_FILE = 'model.safetensors';
/** Model names: what TF Serving's clients put in URLs, and nothing that could be a path. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
/** Versions: positive decimal integers (TF Serving's int64), at most 15 digits so they compare as numbers. */
export const VERSION_PATTERN = /^[0-9]{1,15}$/;

export type VersionState = 'START' | 'LOADING' | 'AVAILABLE' | 'UNLOADING' | 'END';

export interface VersionStatus {
  version: string;
  state: VersionState;
  /** TF Serving's error_code name ('OK', 'UNKNOWN', ...) and message. */
  errorCode: string;
  errorMessage: string;
}

export interface RegistryHooks {
  onLoad?(name: string, version: string, ok: boolean, error?: string): void;
  onBatch?(name: string, rows: number): void;
  onQueueDepth?(name: string, depth: number): void;
  log?(line: string): void;
}

class ModelEntry {
  served: Servable | null = null;
  readonly versions = new Map<string, VersionStatus>();
  /** file identity (mtime and size) of versions that failed, so they are retried only once changed. */
  readonly failed = new Map<string, string>();
  loading: string | null = null;

  constructor(readonly name: string) {}

  status(version: string): VersionStatus | undefined {
    return this.versions.get(version);
  }

  setState(version: string, state: VersionState, errorCode = 'OK', errorMessage = ''): void {
    this.versions.set(version, { version, state, errorCode, errorMessage });
  }
}

export class Registry {
  readonly #models = new Map<string, ModelEntry>();
  #poll: NodeJS.Timeout | null = null;
  #scanning: Promise<void> | null = null;
  #stopped = false;

  private constructor(
    readonly source: { kind: 'file'; name: string; path: string } | { kind: 'base'; path: string; pollMs: number },
    readonly batching: BatchOptions,
    readonly hooks: RegistryHooks,
  ) {}

  static file(name: string, path: string, batching: BatchOptions, hooks: RegistryHooks = {}): Registry {
    if (!NAME_PATTERN.test(name)) throw new Error(`serve: --name must match ${NAME_PATTERN} (letters, digits, '_', '.', '-'), got '${name}'`);
    return new Registry({ kind: 'file', name, path: resolve(path) }, batching, hooks);
  }

  static basePath(path: string, pollMs: number, batching: BatchOptions, hooks: RegistryHooks = {}): Registry {
    return new Registry({ kind: 'base', path: resolve(path), pollMs }, batching, hooks);
  }

  /** Loads what is there now; a base path is then polled every pollMs. */
  async start(): Promise<void> {
    if (this.source.kind === 'file') {
      const entry = new ModelEntry(this.source.name);
      this.#models.set(entry.name, entry);
      await this.#load(entry, '1', this.source.path);
      if (!entry.served) throw new Error(`serve: cannot serve '${this.source.path}': ${entry.status('1')!.errorMessage}`);
      return;
    }
    const s = await stat(this.source.path).catch(() => null);
    if (!s?.isDirectory()) throw new Error(`serve: --model-base-path '${this.source.path}' is not a directory`);
    await this.scan();
    const pollMs = this.source.pollMs;
    const tick = () => {
      // A scan that fails (the base path removed or unreadable for a while) is reported and tried again next time.
      this.#poll = setTimeout(() => void this.scan()
        .catch((e: unknown) => this.hooks.log?.(`serve: scanning ${this.source.path} failed: ${(e as Error).message}`))
        .finally(() => { if (!this.#stopped) tick(); }), pollMs);
    };
    tick();
  }

  names(): string[] {
    return [...this.#models.keys()].sort();
  }

  model(name: string): ModelEntry | undefined {
    return this.#models.get(name);
  }

  /** Every model has a version to serve. */
  ready(): boolean {
    return this.#models.size > 0 && [...this.#models.values()].every((m) => m.served !== null);
  }

  /** One pass over the base path (also what the poll runs); concurrent calls share it. */
  scan(): Promise<void> {
    if (this.source.kind !== 'base' || this.#stopped) return Promise.resolve();
    this.#scanning ??= this.#scanOnce().finally(() => { this.#scanning = null; });
    return this.#scanning;
  }

  async #scanOnce(): Promise<void> {
    const base = this.source.path;
    const dirs = await readdir(base, { withFileTypes: true }).catch(() => []);
    await Promise.all(dirs.filter((d) => NAME_PATTERN.test(d.name) && (d.isDirectory() || d.isSymbolicLink())).map(async (d) => {
      const versions = await this.#candidates(join(base, d.name));
      if (versions.length === 0 && !this.#models.has(d.name)) return;
      let entry = this.#models.get(d.name);
      if (!entry) {
        entry = new ModelEntry(d.name);
        this.#models.set(d.name, entry);
      }
      await this.#update(entry, versions);
    }));
  }

  /** A model directory's versions holding a model file, highest first, with each file's identity. */
  async #candidates(dir: string): Promise<{ version: string; path: string; identity: string }[]> {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const found = await Promise.all(entries.filter((e) => VERSION_PATTERN.test(e.name) && Number(e.name) > 0).map(async (e) => {
      const path = join(dir, e.name, MODEL_FILE);
      const s = await stat(path).catch(() => null);
      if (!s?.isFile()) return null;
      return { version: String(Number(e.name)), path, identity: `${s.mtimeMs}:${s.size}` };
    }));
    return found.filter((f) => f !== null).sort((a, b) => Number(b.version) - Number(a.version));
  }

  async #update(entry: ModelEntry, versions: { version: string; path: string; identity: string }[]): Promise<void> {
    if (entry.loading) return;
    // The newest version not known to fail as it is on disk now.
    const target = versions.find((v) => entry.failed.get(v.version) !== v.identity);
    if (!target || target.version === entry.served?.version) return;
    const real = await realpath(target.path).catch(() => target.path);
    const root = await realpath(this.source.path);
    if (!real.startsWith(root + sep)) {
      entry.failed.set(target.version, target.identity);
      entry.setState(target.version, 'END', 'INVALID_ARGUMENT', `${target.path} resolves to ${real}, outside the base path`);
      this.hooks.onLoad?.(entry.name, target.version, false, 'outside the base path');
      return;
    }
    await this.#load(entry, target.version, target.path, target.identity);
  }

  async #load(entry: ModelEntry, version: string, path: string, identity = ''): Promise<void> {
    entry.loading = version;
    entry.setState(version, 'LOADING');
    try {
      const hooks = {
        onBatch: (rows: number) => this.hooks.onBatch?.(entry.name, rows),
        onQueueDepth: (depth: number) => this.hooks.onQueueDepth?.(entry.name, depth),
        onError: (e: Error, rows: number) => this.hooks.log?.(`serve: model '${entry.name}' version ${version} failed on a batch of ${rows}: ${e.stack ?? e.message}`),
      };
      const next = await Servable.load(entry.name, version, path, this.batching, hooks);
      if (this.#stopped) {
        next.dispose();
        return;
      }
      entry.failed.delete(version);
      const old = entry.served;
      entry.served = next;
      entry.setState(version, 'AVAILABLE');
      this.hooks.onLoad?.(entry.name, version, true);
      this.hooks.log?.(`serve: model '${entry.name}' version ${version} is available (input ${next.input.dtype} ${next.input.shape ? `[${next.input.shape.join(', ')}]` : 'of any shape'}, from the ${next.inputSource === 'saved' ? 'saved signature' : next.inputSource})`);
      if (old) await this.#retire(entry, old);
    } catch (e) {
      const message = (e as Error).message;
      entry.failed.set(version, identity);
      entry.setState(version, 'END', 'UNKNOWN', `failed to load ${path}: ${message}`);
      this.hooks.onLoad?.(entry.name, version, false, message);
      this.hooks.log?.(`serve: model '${entry.name}' version ${version} failed to load (${message}); ${entry.served ? `version ${entry.served.version} keeps serving` : 'nothing to serve'}`);
    } finally {
      entry.loading = null;
    }
  }

  async #retire(entry: ModelEntry, old: Servable): Promise<void> {
    entry.setState(old.version, 'UNLOADING');
    await old.batcher.drain();
    old.dispose();
    if (entry.status(old.version)?.state === 'UNLOADING') entry.setState(old.version, 'END');
  }

  /** Stops polling and runs every queued request now (the models stay loaded: the process is about to exit). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#poll) clearTimeout(this.#poll);
    await this.#scanning;
    await Promise.all([...this.#models.values()].map(async (m) => {
      if (!m.served) return;
      await m.served.batcher.drain();
    }));
  }
}
