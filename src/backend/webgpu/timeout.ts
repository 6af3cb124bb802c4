// Turns a wait on the device that never ends (a hung driver) into an Error.

/** Resolves or rejects as `promise` does, or rejects after `ms` naming `what` was waited for. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not finish within ${ms} ms: the GPU device is hung or lost`)),
      ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
