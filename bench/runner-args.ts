// Command line shared by the per-library runners: which column, sizes, the reference file and
// where to write the column's rows (the orchestrator in run.ts passes all of these).
import { cpus, loadavg } from 'node:os';
import { writeFileSync } from 'node:fs';
import type { FmaCeiling } from './ceiling.js';
import type { Row } from './column.js';
import { workloads, type Workload } from './workloads.js';

export interface RunnerArgs {
  column: string;
  quick: boolean;
  reference: string;
  writeReference: boolean;
  out: string;
  workloads: Workload[];
}

export function parseRunnerArgs(argv: readonly string[]): RunnerArgs {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const column = value('--column');
  const out = value('--out');
  const reference = value('--reference');
  if (!column || !out || !reference) throw new Error('bench runner: expected --column NAME --out FILE --reference FILE');
  const quick = argv.includes('--quick');
  const filter = value('--filter');
  return {
    column, quick, reference, out, writeReference: argv.includes('--write-reference'),
    workloads: workloads(quick).filter((w) => !filter || filter.split(',').some((f) => w.id.includes(f))),
  };
}

export interface AdapterInfo { vendor: string; architecture: string; device: string; description: string }

/** GPUAdapterInfo's fields are getters, which neither spread nor JSON.stringify copy. */
export function adapterInfo(info: GPUAdapterInfo): AdapterInfo {
  return { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description };
}

export interface ColumnResult {
  column: string;
  adapter?: AdapterInfo;
  /** Host load while this column ran: other processes on the machine skew its times. */
  loadAverage: [number, number, number];
  cpu: string;
  cores: number;
  rows: Row[];
  /** The adapter's FMA ceiling, measured by the dawngrad-webgpu column before its workloads. */
  fmaCeiling?: FmaCeiling;
}

export function writeColumn(args: RunnerArgs, rows: Row[], adapter?: AdapterInfo, fmaCeiling?: FmaCeiling): void {
  const result: ColumnResult = {
    column: args.column, adapter, loadAverage: loadavg() as [number, number, number],
    cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, rows, fmaCeiling,
  };
  writeFileSync(args.out, JSON.stringify(result, null, 2));
}
