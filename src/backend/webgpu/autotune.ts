// Picks the matmul tile shape for this adapter by timing a few candidates once, and caches the
// choice (a file under the user's cache directory; in a page, localStorage). The best shape differs by orders of magnitude in
// cost between adapters (a software Vulkan wants few, wide workgroups without barriers; a GPU
// wants many), so it is measured rather than guessed. DAWNGRAD_NO_AUTOTUNE=1 skips all of it.
import { DEFAULT_TILE, matmul, type MatmulTile, setMatmulTile } from './kernels/matmul.js';
import type { MatmulSpec } from '../backend.js';
import type { GpuHandle, GpuRuntime } from './runtime.js';
import { shaderSource } from './shaders.js';
import { autotuneDisabled, readTuneCache, sourceDigest, writeTuneCache } from './tuneCache.js';

export { autotuneCachePath } from './tuneCache.js';

export const TILE_CANDIDATES: readonly MatmulTile[] = [
  { rows: 4, wg: 16 }, { rows: 4, wg: 32 }, { rows: 4, wg: 64 },
  { rows: 8, wg: 16 }, { rows: 8, wg: 32 }, { rows: 8, wg: 64 },
];
/** Size of the timed products: big enough to fill a GPU, ~20 ms on a software adapter. */
const TUNE_SIZE = 384;
const ROUNDS = 3;

/** Identifies the adapter, the kernel source and the candidates, so a driver change, a shader
 *  change or a new candidate re-tunes (a cached choice among the old candidates could miss it). */
function cacheKey(rt: GpuRuntime): string {
  const info = rt.gpu.adapter.info;
  const shader = sourceDigest(shaderSource('matmul_vec4'));
  const candidates = TILE_CANDIDATES.map((t) => `${t.rows}x${t.wg}`).join(',');
  return `${info.vendor}|${info.architecture}|${info.device}|${info.description}|matmul_vec4:${shader}|${candidates}`;
}

function isCandidate(t: MatmulTile | undefined): t is MatmulTile {
  return !!t && TILE_CANDIDATES.some((c) => c.rows === t.rows && c.wg === t.wg);
}

/** Chooses and installs the tile for `rt`; returns it with whether it came from the cache. */
export async function autotuneMatmul(rt: GpuRuntime): Promise<{ tile: MatmulTile; source: 'default' | 'cache' | 'measured' }> {
  if (autotuneDisabled()) {
    setMatmulTile(rt, DEFAULT_TILE);
    return { tile: DEFAULT_TILE, source: 'default' };
  }
  const key = cacheKey(rt);
  const cached = readTuneCache()[key];
  if (isCandidate(cached)) {
    setMatmulTile(rt, cached);
    return { tile: cached, source: 'cache' };
  }
  const tile = await measureBest(rt);
  setMatmulTile(rt, tile);
  writeTuneCache(key, tile);
  return { tile, source: 'measured' };
}

async function measureBest(rt: GpuRuntime): Promise<MatmulTile> {
  const n = TUNE_SIZE;
  const data = new Float32Array(n * n).map((_, i) => ((i * 7919) % 13) / 13 - 0.5);
  const a = rt.upload(data);
  const b = rt.upload(data);
  // A square product, and a skinny one with B transposed as Linear layers and LSTM steps use it.
  const specs: MatmulSpec[] = [
    { batch: 1, M: n, K: n, N: n, aOffsets: [0], bOffsets: [0], aRowStride: n, aColStride: 1, bRowStride: n, bColStride: 1 },
    { batch: 1, M: n / 4, K: n / 2, N: n * 2, aOffsets: [0], bOffsets: [0], aRowStride: n / 2, aColStride: 1, bRowStride: 1, bColStride: n / 2 },
  ];
  const candidates = TILE_CANDIDATES.filter((t) => t.wg <= rt.limits.maxComputeInvocationsPerWorkgroup);
  const best = candidates.map(() => specs.map(() => Infinity));
  try {
    // The first round compiles the pipelines and is not counted. Candidates take turns within
    // each round, so a burst of load from other processes hits them all alike.
    for (let round = 0; round <= ROUNDS; round++) {
      for (const [i, tile] of candidates.entries()) {
        for (const [j, spec] of specs.entries()) {
          const t0 = performance.now();
          rt.release(await run(rt, a, b, spec, tile));
          if (round > 0) best[i]![j] = Math.min(best[i]![j]!, performance.now() - t0);
        }
      }
    }
  } finally {
    rt.release(a);
    rt.release(b);
  }
  const total = best.map((ms) => ms.reduce((x, y) => x + y, 0));
  return candidates[total.indexOf(Math.min(...total))] ?? DEFAULT_TILE;
}

async function run(rt: GpuRuntime, a: GpuHandle, b: GpuHandle, spec: MatmulSpec, tile: MatmulTile): Promise<GpuHandle> {
  const out = matmul(rt, a, b, spec, tile);
  // Waiting on the read-back is what makes the time include the GPU's work.
  await rt.readBuffer(out);
  return out;
}
