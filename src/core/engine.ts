// Process-wide state: the active backend, gradient recording, tidy scopes and memory counts.
import type { Backend } from '../backend/backend.js';
import { backendFactory, type BackendName } from '../backend/registry.js';

export type { BackendName };

const backends: Partial<Record<BackendName, Backend>> = {};
let active: Backend | null = null;
let webgpuProbe: Promise<Backend | null> | null = null;

async function webgpu(): Promise<Backend | null> {
  // A lost device is never reused: the next open creates a new one (its old tensors stay lost).
  if (backends.webgpu?.lost) {
    if (active === backends.webgpu) active = null;
    delete backends.webgpu;
    webgpuProbe = null;
  }
  webgpuProbe ??= Promise.resolve(backendFactory('webgpu').create());
  return webgpuProbe;
}

function cpu(): Backend {
  if (!backends.cpu) {
    const made = backendFactory('cpu').create();
    if (!made || made instanceof Promise) throw new Error('dawngrad: the registered cpu backend must be created synchronously');
    backends.cpu = made;
  }
  return backends.cpu;
}

/** Runtime settings of the webgpu backend; see `init`. */
export interface GpuOptions {
  /** Free device memory kept for reuse, in bytes; buffers released beyond it are destroyed. */
  poolLimitBytes?: number;
  /** How long a read-back or throttle waits before a hung device becomes an Error. */
  waitTimeoutMs?: number;
}

function checkedOption(name: keyof GpuOptions, value: number | undefined): number | undefined {
  if (value !== undefined && !(typeof value === 'number' && value >= 0 && Number.isFinite(value))) {
    throw new Error(`init: ${name} must be a finite number >= 0, got ${String(value)}`);
  }
  return value;
}

function noAdapterHelp(): string {
  return backendFactory('webgpu').unavailable;
}

/**
 * Chooses the backend. With no argument: webgpu if an adapter exists, else cpu with a
 * one-line warning. Backends are created once and kept, so switching back and forth is cheap
 * and tensors made on each stay valid.
 */
export async function init(options: { backend?: BackendName } & GpuOptions = {}): Promise<void> {
  const wanted = options.backend;
  if (wanted !== undefined && wanted !== 'webgpu' && wanted !== 'cpu') {
    throw new Error(`init: unknown backend '${String(wanted)}' (expected 'webgpu' or 'cpu')`);
  }
  const poolLimitBytes = checkedOption('poolLimitBytes', options.poolLimitBytes);
  const waitTimeoutMs = checkedOption('waitTimeoutMs', options.waitTimeoutMs);
  if (wanted === 'cpu') {
    active = await backendNamed('cpu');
    return;
  }
  const gpu = await webgpu();
  if (gpu) {
    gpu.configure?.({ poolLimitBytes, waitTimeoutMs });
    active = backends.webgpu = gpu;
    return;
  }
  if (wanted === 'webgpu') throw new Error(`init: ${noAdapterHelp()}`);
  console.warn(`dawngrad: ${noAdapterHelp()} Falling back to the cpu backend.`);
  active = await backendNamed('cpu');
}

/** The backend of that name, created on first use, without making it the active one. */
export async function backendNamed(name: BackendName, op = 'backendNamed'): Promise<Backend> {
  if (name === 'cpu') return cpu();
  if (name !== 'webgpu') throw new Error(`${op}: unknown backend '${String(name)}' (expected 'webgpu' or 'cpu')`);
  const gpu = await webgpu();
  if (!gpu) throw new Error(`webgpu: ${noAdapterHelp()}`);
  return (backends.webgpu = gpu);
}

/**
 * The backend a creation op's `backend` option names: a Backend object, or 'cpu' / 'webgpu'
 * (webgpu once dg.init or dg.toBackend has opened it, since opening it is asynchronous).
 */
export function resolveBackend(op: string, choice: Backend | BackendName | undefined): Backend {
  if (choice === undefined) return getBackend();
  if (choice === 'cpu') return cpu();
  if (choice === 'webgpu') {
    if (!backends.webgpu) throw new Error(`${op}: backend 'webgpu' is not open yet; call \`await dg.init({ backend: 'webgpu' })\` first`);
    return backends.webgpu;
  }
  if (choice === backends.cpu || choice === backends.webgpu) return choice;
  throw new Error(`${op}: unknown backend ${typeof choice === 'string' ? `'${choice}'` : String(choice)} (expected 'webgpu', 'cpu' or a tensor's .backend)`);
}

export function getBackend(): Backend {
  if (!active) throw new Error('dawngrad: no backend yet; call `await dg.init()` first');
  return active;
}

export function backend(): BackendName {
  return getBackend().name;
}

// ---- gradient recording ------------------------------------------------------------------

let noGradDepth = 0;

export function isGradEnabled(): boolean {
  return noGradDepth === 0;
}

/** Runs fn without recording a graph. fn must be synchronous (an await inside would leak the mode). */
export function noGrad<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new Error(`noGrad: expected a function to run without gradients, got ${typeof fn}`);
  noGradDepth++;
  try {
    const r = fn();
    if (r instanceof Promise) throw new Error('noGrad: the function must be synchronous; use setGradEnabled(false) around async code');
    return r;
  } finally {
    noGradDepth--;
  }
}

/** For async code that cannot use noGrad. */
export function setGradEnabled(enabled: boolean): void {
  if (typeof enabled !== 'boolean') throw new Error(`setGradEnabled: expected true or false, got ${String(enabled)}`);
  noGradDepth = enabled ? 0 : Math.max(1, noGradDepth);
}

// ---- tidy scopes and memory ----------------------------------------------------------------

/** What tidy needs to know of a tensor; the Tensor class implements it. */
export interface Tracked {
  dispose(): void;
  readonly isDisposed: boolean;
}

const scopes: Set<Tracked>[] = [];

export function trackInScope(t: Tracked): void {
  scopes[scopes.length - 1]?.add(t);
}

/** Takes a tensor out of every enclosing tidy scope, so it outlives them. */
export function keep<T extends Tracked>(t: T): T {
  if (t === null || typeof t !== 'object' || typeof t.dispose !== 'function') throw new Error(`keep: expected a Tensor, got ${t === null ? 'null' : typeof t}`);
  for (const s of scopes) s.delete(t);
  return t;
}

export function enterScope(): Set<Tracked> {
  const s = new Set<Tracked>();
  scopes.push(s);
  return s;
}

export function exitScope(scope: Set<Tracked>, survivors: Set<Tracked>): void {
  const top = scopes.pop();
  if (top !== scope) throw new Error('tidy: scopes were exited out of order');
  for (const t of scope) {
    if (survivors.has(t)) scopes[scopes.length - 1]?.add(t);
    else t.dispose();
  }
}

export const counters = { tensors: 0, bytes: 0 };

export interface MemoryInfo {
  /** Live tensors, and the bytes of their storage (storage shared by reshapes counts once). */
  tensors: number;
  bytes: number;
  /** What the active backend's allocator holds: liveBytes + pooledBytes. */
  allocatedBytes: number;
  /** Allocator bytes owned by live storage (rounded up to the allocator's size classes). */
  liveBytes: number;
  /** Free bytes kept for reuse; `emptyCache()` returns them to the device. */
  pooledBytes: number;
}

export function memory(): MemoryInfo {
  const allocatedBytes = active?.allocatedBytes() ?? 0;
  const pooledBytes = active?.pooledBytes() ?? 0;
  return { tensors: counters.tensors, bytes: counters.bytes, allocatedBytes, liveBytes: allocatedBytes - pooledBytes, pooledBytes };
}

/** Returns the active backend's pooled free memory to the device (as torch.cuda.empty_cache);
 *  live tensors are untouched. */
export function emptyCache(): void {
  active?.emptyCache();
}
