// dg.tidy: dispose every tensor made inside fn that fn does not return.
import { enterScope, exitScope, type Tracked } from './engine.js';
import { Tensor } from './tensor.js';

function collect(value: unknown, into: Set<Tracked>, seen = new Set<unknown>()): void {
  if (value instanceof Tensor) {
    into.add(value);
    return;
  }
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  const items = Array.isArray(value) ? value : value instanceof Map ? [...value.values()] : Object.values(value);
  for (const v of items) collect(v, into, seen);
}

export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new Error(`tidy: expected a function whose tensors to dispose, got ${typeof fn}`);
  const scope = enterScope();
  let result: T;
  try {
    result = fn();
  } catch (e) {
    exitScope(scope, new Set());
    throw e;
  }
  if (result instanceof Promise) {
    exitScope(scope, new Set());
    throw new Error('tidy: the function must be synchronous (it returned a Promise); read values after tidy returns');
  }
  const survivors = new Set<Tracked>();
  collect(result, survivors);
  exitScope(scope, survivors);
  return result;
}
