// fit's display: on a terminal a live Keras-style bar per epoch (step, ETA, running loss and
// metrics), redrawn in place; elsewhere (logs, CI) one line per finished epoch. Values shown
// mid-epoch come from fit's occasional reads, never from a per-batch wait on the GPU.
export interface Output {
  write(s: string): unknown;
  isTTY?: boolean;
}

/** process.stdout in Node; in a page (no process) the console, one epoch line per entry. */
export function defaultOutput(): Output {
  const proc = (globalThis as { process?: { stdout?: Output } }).process;
  return proc?.stdout ?? { write: (s: string) => { if (s.trim()) console.log(s.trim()); } };
}

const BAR = 30;

function formatLogs(logs: Record<string, number>): string {
  return Object.entries(logs).map(([k, v]) => ` - ${k}: ${Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(3) : v.toFixed(4)}`).join('');
}

function formatSeconds(s: number): string {
  if (s >= 3600) return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
  if (s >= 60) return `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
  return `${s < 10 ? s.toFixed(1) : Math.round(s)}s`;
}

export class Progress {
  #start = 0;
  #width = 0;

  constructor(private readonly out: Output, readonly live: boolean, readonly epochs: number, readonly steps: number) {}

  epochBegin(epoch: number): void {
    this.#start = performance.now();
    if (this.live) this.out.write(`Epoch ${epoch + 1}/${this.epochs}\n`);
  }

  /** Redraws the bar after `step` of `steps` batches (terminal only). */
  update(step: number, logs: Record<string, number>): void {
    if (!this.live) return;
    const elapsed = (performance.now() - this.#start) / 1000;
    const eta = step > 0 ? (elapsed / step) * (this.steps - step) : 0;
    this.draw(step, `ETA: ${formatSeconds(eta)}`, logs, '');
  }

  epochEnd(epoch: number, logs: Record<string, number>): void {
    const elapsed = (performance.now() - this.#start) / 1000;
    if (this.live) this.draw(this.steps, formatSeconds(elapsed), logs, '\n');
    else this.out.write(`Epoch ${epoch + 1}/${this.epochs} - ${formatSeconds(elapsed)}${formatLogs(logs)}\n`);
  }

  private draw(step: number, time: string, logs: Record<string, number>, end: string): void {
    const done = Math.round((BAR * step) / Math.max(1, this.steps));
    const bar = done >= BAR ? '='.repeat(BAR) : `${'='.repeat(done)}>${'.'.repeat(BAR - done - 1)}`;
    const digits = String(this.steps).length;
    const line = `${String(step).padStart(digits)}/${this.steps} [${bar}] - ${time}${formatLogs(logs)}`;
    // Pad over the previous, possibly longer, line.
    this.out.write(`\r${line.padEnd(this.#width)}${end}`);
    this.#width = end ? 0 : line.length;
  }
}
