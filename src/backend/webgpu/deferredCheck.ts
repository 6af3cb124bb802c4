// Device-side checks whose result is known only after a read-back, and which values they concern.
//
// A kernel that finds bad input on the device (an out-of-range label or embedding index) cannot
// throw: it writes a small record. Every checked call gets its own record, and every buffer a
// kernel writes carries the checks of the calls it was computed from (its `deps`). All records
// still pending ride along with the next read-back of any tensor (no extra round trip), but the
// error is thrown only by a read of a value that depends on the faulty call, so a bad label
// whose loss is never read cannot surface in an unrelated computation.

/** A kind of check: how its record starts and how its words are read. */
export interface DeferredCheck {
  /** The record's words while it holds no error. */
  readonly clean: Int32Array<ArrayBuffer>;
  /** The error the record's words describe, or null when they describe none. */
  decode(words: Int32Array): Error | null;
}

export type CheckState = 'pending' | 'clean' | 'failed' | 'reported';

/** One checked call's record and, once read back, its outcome. */
export class PendingCheck {
  state: CheckState = 'pending';
  error: Error | null = null;
  constructor(readonly check: DeferredCheck) {}

  /** Whether a value depending on this call may still have an error to report. */
  get open(): boolean {
    return this.state === 'pending' || this.state === 'failed';
  }

  settle(words: Int32Array): void {
    this.error = this.check.decode(words);
    this.state = this.error ? 'failed' : 'clean';
  }
}

export const NO_DEPS: readonly PendingCheck[] = Object.freeze([]);

/** The open checks of `a` and `b` together, each once; `a` itself when `b` adds nothing. */
export function mergeDeps(a: readonly PendingCheck[], b: readonly PendingCheck[]): readonly PendingCheck[] {
  // The hot path: almost every buffer depends on no check, and this runs per binding per dispatch.
  if (b.length === 0) return a;
  if (a.length === 0 && b.every((c) => c.open)) return b;
  const open = a.filter((c) => c.open);
  let out: PendingCheck[] | null = open.length === a.length ? null : open;
  for (const c of b) {
    if (!c.open || a.includes(c)) continue;
    (out ??= [...open]).push(c);
  }
  return out ?? a;
}

/** The first check among `deps` that found an error and has not reported it; marks it reported
 *  (each error is thrown once, by the first dependent read). */
export function takeError(deps: readonly PendingCheck[]): Error | null {
  const failed = deps.find((c) => c.state === 'failed');
  if (!failed) return null;
  failed.state = 'reported';
  return failed.error;
}
