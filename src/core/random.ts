// The seeded generator behind randn/rand/dropout/shuffles/initialisers (dg.manualSeed).
// xoshiro128** : small, fast, and good enough statistically for ML initialisation.

let s = new Uint32Array(4);

function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function manualSeed(seed: number): void {
  if (typeof seed !== 'number' || !Number.isInteger(seed)) throw new Error(`manualSeed: seed must be an integer, got ${String(seed)}`);
  const next = splitmix32(seed);
  s = Uint32Array.from([next(), next(), next(), next()]);
}

manualSeed(Date.now() ^ (Math.random() * 2 ** 32));

function nextU32(): number {
  const result = Math.imul(((Math.imul(s[1]!, 5) << 7) | (Math.imul(s[1]!, 5) >>> 25)), 9) >>> 0;
  const t = (s[1]! << 9) >>> 0;
  s[2]! ^= s[0]!;
  s[3]! ^= s[1]!;
  s[1]! ^= s[2]!;
  s[0]! ^= s[3]!;
  s[2]! ^= t;
  s[3] = ((s[3]! << 11) | (s[3]! >>> 21)) >>> 0;
  return result;
}

/** Uniform in [0, 1). */
export function random(): number {
  return nextU32() / 4294967296;
}

/** Standard normal (Box-Muller; 1 - u keeps log away from 0). */
export function randomNormal(): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Integer in [0, n). */
export function randomInt(n: number): number {
  return Math.floor(random() * n);
}

/** A seeded Fisher-Yates permutation of 0..n-1. */
export function permutation(n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}
