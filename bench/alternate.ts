// The bench runs the columns it compares in alternation, A, B, A, B (each run its own process,
// never two at once), and keeps for each workload the better of a column's runs. On a shared
// machine a load spike then slows one run of one column, and the other run still stands for it:
// no single spike decides a ratio.
import type { FmaCeiling } from './ceiling.js';
import type { Row } from './column.js';
import type { ColumnResult } from './runner-args.js';

export interface ColumnRun {
  column: string;
  /** 0-based: which pass over the columns this run belongs to. */
  round: number;
  /** Only the reference column's first run records the values every run is checked against. */
  writeReference: boolean;
}

/** Every column's runs, the reference column first in each round (A, B, A, B). */
export function alternation(columns: readonly string[], reference: string, rounds: number): ColumnRun[] {
  const order = [...columns].sort((a, b) => Number(b === reference) - Number(a === reference));
  return Array.from({ length: rounds }, (_, round) =>
    order.map((column) => ({ column, round, writeReference: round === 0 && column === reference }))).flat();
}

export function timed(r: Row): boolean {
  return r.status === 'ok' || r.status === 'unchecked';
}

/**
 * One workload's row from its runs: the timed run with the fastest repetition, with every run's
 * fastest repetition kept beside it. A run that computed a wrong result makes the row wrong:
 * being right in the other run does not excuse it.
 */
export function betterRow(runs: readonly Row[]): Row {
  const wrong = runs.find((r) => r.status === 'wrong result');
  if (wrong) return wrong;
  const ok = runs.filter(timed);
  if (ok.length === 0) return runs[0]!;
  const best = ok.reduce((a, b) => (b.minMs! < a.minMs! ? b : a));
  return { ...best, runMinMs: runs.map((r) => (timed(r) ? r.minMs! : null)) };
}

/** A column's runs merged. */
export interface MergedColumn {
  column: string;
  adapter?: ColumnResult['adapter'];
  /** Host load when each run finished, in run order. */
  loadAverages: [number, number, number][];
  rows: Row[];
  /** The best of the runs' ceiling measurements, and each run's. */
  fmaCeiling?: FmaCeiling & { runs: number[] };
}

export function mergeRuns(runs: readonly ColumnResult[]): MergedColumn {
  const first = runs[0]!;
  const rows = first.rows.map((r) => betterRow(runs.map((run) => run.rows.find((x) => x.id === r.id) ?? r)));
  const ceilings = runs.map((r) => r.fmaCeiling).filter((c): c is FmaCeiling => c !== undefined);
  const merged: MergedColumn = {
    column: first.column, adapter: runs.find((r) => r.adapter)?.adapter, loadAverages: runs.map((r) => r.loadAverage), rows,
  };
  if (ceilings.length > 0) {
    const best = ceilings.reduce((a, b) => (b.gflops > a.gflops ? b : a));
    merged.fmaCeiling = { ...best, runs: ceilings.map((c) => c.gflops) };
  }
  return merged;
}

/** Runs `runOne` for every column and round in alternation and merges each column's runs. */
export function runAlternating(
  columns: readonly string[], reference: string, rounds: number, runOne: (run: ColumnRun) => ColumnResult,
): Record<string, MergedColumn> {
  const byColumn = new Map<string, ColumnResult[]>();
  for (const run of alternation(columns, reference, rounds)) {
    const result = runOne(run);
    byColumn.set(run.column, [...(byColumn.get(run.column) ?? []), result]);
  }
  return Object.fromEntries(columns.map((c) => [c, mergeRuns(byColumn.get(c)!)]));
}
