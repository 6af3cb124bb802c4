// The seeded generator behind randn/rand/dropout/shuffles/initialisers (dg.manualSeed).
// xoshiro128** : small, fast, and good enough statistically for ML initialisation.

let s: Uint32Array = new Uint32Array(4);

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

function seedState(seed: number): Uint32Array {
  const next = splitmix32(seed);
  return Uint32Array.from([next(), next(), next(), next()]);
}

export function manualSeed(seed: number): void {
  if (typeof seed !== 'number' || !Number.isInteger(seed)) throw new Error(`manualSeed: seed must be an integer, got ${String(seed)}`);
  s = seedState(seed);
}

manualSeed(Date.now() ^ (Math.random() * 2 ** 32));

/** The generator's whole state: xoshiro128**'s four 32-bit words (torch.get_rng_state). */
export type RngState = [number, number, number, number];

export function getRngState(): RngState {
  return [s[0]!, s[1]!, s[2]!, s[3]!];
}

/** Puts back a state from getRngState, so the same numbers follow again (torch.set_rng_state). */
export function setRngState(state: RngState): void {
  const ok = Array.isArray(state) && state.length === 4 && state.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32);
  if (!ok) throw new Error(`setRngState: expected 4 unsigned 32-bit integers from getRngState(), got ${JSON.stringify(state)?.slice(0, 100)}`);
  // All-zero is xoshiro's one fixed point: it would return 0 forever.
  if (state.every((w) => w === 0)) throw new Error('setRngState: the all-zero state is not a valid generator state');
  s = Uint32Array.from(state);
}

/** One xoshiro128** step of the state `st` (advanced in place). */
function step(st: Uint32Array): number {
  const result = Math.imul(((Math.imul(st[1]!, 5) << 7) | (Math.imul(st[1]!, 5) >>> 25)), 9) >>> 0;
  const t = (st[1]! << 9) >>> 0;
  st[2]! ^= st[0]!;
  st[3]! ^= st[1]!;
  st[1]! ^= st[2]!;
  st[0]! ^= st[3]!;
  st[2]! ^= t;
  st[3] = ((st[3]! << 11) | (st[3]! >>> 21)) >>> 0;
  return result;
}

/** Uniform in [0, 1). */
export function random(): number {
  return step(s) / 4294967296;
}

/** Standard normal (Box-Muller; 1 - u keeps log away from 0). */
export function randomNormal(): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * An independent stream, uniform in [0, 1), for a component that takes its own seed (Keras'
 * `seed=` arguments): drawing from it leaves the dg.manualSeed stream untouched.
 */
export function seededRandom(seed: number): () => number {
  const state = seedState(seed);
  return () => step(state) / 4294967296;
}

/** Integer in [0, n). */
export function randomInt(n: number): number {
  return Math.floor(random() * n);
}

/** A seeded Fisher-Yates permutation of 0..n-1 (from `rand`, by default the dg.manualSeed stream). */
export function permutation(n: number, rand: () => number = random): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}
