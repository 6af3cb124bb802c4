// Runs every workload for one column (one library on one backend) in this process: check the
// result against the reference, warm up, then time repetitions that each end with a small
// read-back, so queued GPU work is really finished inside the timed interval.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Instance, Workload } from './workloads.js';

/** What a column's library provides to the loop. */
export interface Lib<T> {
  /** `unsupported`: the library has no such op at all (a row of n/a, with the reason). */
  instance(w: Workload): Instance<T> | { unsupported: string };
  /** Runs fn so every tensor it makes but does not return is freed. */
  tidy(fn: () => T): T;
  /** A one-element slice of t (made inside tidy, so a step's outputs are freed with it). */
  first(t: T): T;
  /** Reads t back to the host, which waits for all queued work, then frees it. */
  read(t: T): Promise<void>;
  /** Computes on the host (cpu, wasm): nothing to compile or queue before the first run. */
  hostOnly: boolean;
  /** GPU command counters, where the library exposes them. */
  counters?(): { submits: number; readbacks: number; dispatches: number };
}

export type Status = 'ok' | 'n/a' | 'error' | 'wrong result' | 'unchecked';

export interface Row {
  id: string;
  status: Status;
  message?: string;
  medianMs?: number;
  minMs?: number;
  reps?: number;
  /** Largest deviation from the reference, in units of its tolerance (<= 1 passes). */
  checkError?: number;
  /** Commands recorded by one training step before its read-back, and the read-back's own. */
  perStep?: { submits: number; readbacks: number; dispatches: number };
  /** The fastest repetition of each of the column's runs (null: not timed in that run); minMs is the least. */
  runMinMs?: (number | null)[];
  /** GFLOPS over the adapter's measured FMA ceiling (webgpu columns, workloads with a FLOP count). */
  ceilingFraction?: number;
}

/** Sampled reference values per workload, written by the float64 cpu column. */
export type Reference = Record<string, { length: number; index: number[]; values: number[] }>;

const SAMPLES = 512;

export function sample(values: ArrayLike<number>): { length: number; index: number[]; values: number[] } {
  const n = values.length;
  const count = Math.min(n, SAMPLES);
  const index = Array.from({ length: count }, (_, i) => Math.floor((i * n) / count));
  return { length: n, index, values: index.map((i) => values[i]!) };
}

/**
 * How far `values` are from the reference, in units of the tolerance. The bench compares float32
 * results with the float64 reference after sums of up to ~10^5 terms (conv weight gradients), so
 * it allows 1e-3 of the values' RMS plus 1e-3 relative: loose enough for summation order, far
 * tighter than any indexing mistake.
 */
export function checkError(values: ArrayLike<number>, ref: Reference[string]): number {
  if (values.length !== ref.length) return Infinity;
  const rms = Math.sqrt(ref.values.reduce((s, v) => s + v * v, 0) / Math.max(1, ref.values.length));
  let worst = 0;
  ref.index.forEach((i, k) => {
    const r = ref.values[k]!;
    const v = values[i]!;
    const err = Number.isFinite(v) ? Math.abs(v - r) / (1e-3 * rms + 1e-3 * Math.abs(r) + 1e-30) : Infinity;
    worst = Math.max(worst, err);
  });
  return worst;
}

export interface ColumnOptions {
  quick: boolean;
  /** Reference file to compare with, or to write (the cpu reference column). */
  reference: string;
  writeReference: boolean;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function runColumn<T>(lib: Lib<T>, ws: Workload[], opts: ColumnOptions, log: (line: string) => void): Promise<Row[]> {
  const budgetMs = opts.quick ? 100 : 3000;
  const minReps = opts.quick ? 2 : 5;
  const maxReps = opts.quick ? 5 : 100;
  let reference: Reference = {};
  if (!opts.writeReference) {
    try {
      reference = JSON.parse(readFileSync(opts.reference, 'utf8')) as Reference;
    } catch {
      // No reference (the cpu column failed or was not run): rows are marked unchecked.
    }
  }
  const rows: Row[] = [];
  for (const w of ws) {
    let row: Row;
    try {
      row = await runOne(lib, w, opts, reference, { budgetMs, minReps, maxReps });
    } catch (e) {
      row = { id: w.id, status: 'error', message: (e as Error).message.split('\n')[0]!.slice(0, 200) };
    }
    rows.push(row);
    log(`${w.id}: ${row.status}${row.medianMs !== undefined ? ` median ${row.medianMs.toFixed(2)} ms` : ''}${row.message ? ` (${row.message})` : ''}`);
    if (opts.writeReference) writeFileSync(opts.reference, JSON.stringify(reference));
  }
  return rows;
}

async function runOne<T>(
  lib: Lib<T>, w: Workload, opts: ColumnOptions, reference: Reference,
  limits: { budgetMs: number; minReps: number; maxReps: number },
): Promise<Row> {
  const inst = lib.instance(w);
  if ('unsupported' in inst) return { id: w.id, status: 'n/a', message: inst.unsupported };
  const checkStart = performance.now();
  const values = await inst.check();
  const checkMs = performance.now() - checkStart;
  let status: Status = 'ok';
  let err: number | undefined;
  if (opts.writeReference) {
    reference[w.id] = sample(values);
  } else if (reference[w.id]) {
    err = checkError(values, reference[w.id]!);
    if (!(err <= 1)) return { id: w.id, status: 'wrong result', checkError: err, message: `off the reference by ${err.toFixed(1)}x the tolerance` };
  } else {
    status = 'unchecked';
  }
  // On the host, a repetition many times the budget (a big size) is timed once: the check run
  // itself, whose full read-back is small next to its seconds of compute. (A GPU column's check
  // also compiled its pipelines, so there it is never the timing.)
  if (lib.hostOnly && checkMs > 3 * limits.budgetMs && !w.trainingStep) {
    return { id: w.id, status, medianMs: checkMs, minMs: checkMs, reps: 1, checkError: err, message: 'timed once' };
  }
  const rep = async () => lib.read(lib.tidy(() => lib.first(inst.step())));
  // The check compiled every pipeline; one more untimed repetition settles pools and caches,
  // unless a repetition is so slow that it would only cost time.
  if (checkMs < limits.budgetMs / 2) await rep();
  const times: number[] = [];
  const start = performance.now();
  for (;;) {
    const elapsed = performance.now() - start;
    const more = times.length === 0
      || (times.length < limits.maxReps && (elapsed < limits.budgetMs || (times.length < limits.minReps && elapsed < 3 * limits.budgetMs)));
    if (!more) break;
    const t0 = performance.now();
    await rep();
    times.push(performance.now() - t0);
  }
  const row: Row = { id: w.id, status, medianMs: median(times), minMs: Math.min(...times), reps: times.length, checkError: err };
  if (w.trainingStep && lib.counters) {
    const before = lib.counters();
    const out = lib.tidy(() => lib.first(inst.step()));
    const mid = lib.counters();
    await lib.read(out);
    row.perStep = {
      submits: mid.submits - before.submits, readbacks: mid.readbacks - before.readbacks, dispatches: mid.dispatches - before.dispatches,
    };
  }
  return row;
}
