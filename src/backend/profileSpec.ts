// What a profile of GPU dispatches reports, shared by the backends that can time dispatches
// (webgpu, through timestamp queries) and core's dg.profile, which only sees this interface.

/** One dispatch's measured GPU time. */
export interface DispatchSample {
  /** What the times are grouped by (see `ProfileGroup`). */
  kernel: string;
  ns: number;
}

/** What a profile's rows are grouped by. 'kernel': shader file and entry point. 'pipeline':
 *  also the variant and `override` constants (tile, transposes). 'dispatch': also the
 *  workgroup grid, which tells shapes apart. */
export type ProfileGroup = 'kernel' | 'pipeline' | 'dispatch';

/** Per-kernel totals, as `dg.profile` reports them. */
export interface KernelTime {
  kernel: string;
  calls: number;
  totalMs: number;
  meanUs: number;
  /** Share of the summed GPU time of every row. */
  percent: number;
}

/** A running profile: `stop` ends it and resolves to every dispatch timed since it began. */
export interface ProfileSession {
  stop(): Promise<DispatchSample[]>;
}

/** Totals per kernel, largest first. */
export function summarize(samples: readonly DispatchSample[]): KernelTime[] {
  const byKernel = new Map<string, { calls: number; ns: number }>();
  let totalNs = 0;
  for (const s of samples) {
    const k = byKernel.get(s.kernel) ?? { calls: 0, ns: 0 };
    k.calls++;
    k.ns += s.ns;
    totalNs += s.ns;
    byKernel.set(s.kernel, k);
  }
  return [...byKernel].map(([kernel, { calls, ns }]) => ({
    kernel, calls, totalMs: ns / 1e6, meanUs: ns / 1e3 / calls, percent: totalNs > 0 ? (100 * ns) / totalNs : 0,
  })).sort((a, b) => b.totalMs - a.totalMs || a.kernel.localeCompare(b.kernel));
}

/** A markdown table of the first `top` rows with a closing line of totals over all rows. */
export function formatKernelTable(rows: readonly KernelTime[], top = rows.length): string {
  const calls = rows.reduce((s, r) => s + r.calls, 0);
  const ms = rows.reduce((s, r) => s + r.totalMs, 0);
  const rest = rows.length - top;
  const lines = [
    '| kernel | calls | total ms | mean us | share |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows.slice(0, top).map((r) => `| ${r.kernel} | ${r.calls} | ${r.totalMs.toFixed(3)} | ${r.meanUs.toFixed(1)} | ${r.percent.toFixed(1)}% |`),
    ...(rest > 0 ? [`| (${rest} more) | | | | |`] : []),
    `| **all** | ${calls} | ${ms.toFixed(3)} | ${calls ? ((ms * 1e3) / calls).toFixed(1) : '0'} | 100% |`,
  ];
  return lines.join('\n');
}
