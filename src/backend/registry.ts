// Which backends exist, by name. Core asks here instead of importing a concrete backend, so
// it runs unchanged wherever an entry point registered backends for its environment (Node:
// Dawn through the `webgpu` package; a page: navigator.gpu; see register.ts).
import type { Backend } from './backend.js';

export type BackendName = 'webgpu' | 'cpu';

export interface BackendFactory {
  /** The backend, or null when this machine cannot run it. The cpu backend's is synchronous,
   *  so creation ops can open it on demand. */
  create(): Backend | null | Promise<Backend | null>;
  /** Why create() found none, and what to install or enable. */
  unavailable: string;
}

const factories = new Map<BackendName, BackendFactory>();

export function registerBackend(name: BackendName, factory: BackendFactory): void {
  factories.set(name, factory);
}

export function backendFactory(name: BackendName): BackendFactory {
  const f = factories.get(name);
  if (!f) throw new Error(`dawngrad: no '${name}' backend is registered; import dawngrad through its entry point ('dawngrad', or dist/dawngrad.browser.js in a page)`);
  return f;
}
