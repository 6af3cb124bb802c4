// Host-side buffers of seeded random numbers, uploaded by the creation ops and initialisers.
import { random, randomNormal } from './random.js';

export function normal(n: number, mean = 0, std = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = mean + std * randomNormal();
  return out;
}

export function uniform(n: number, low = 0, high = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = low + (high - low) * random();
  return out;
}
