// Options objects are checked for unknown keys: PyTorch refuses an unexpected keyword, and a
// silently ignored `ceilMode: true` or `ignoreIndex` would give wrong results with no sign.

export function checkOptions(op: string, options: object | undefined, known: readonly string[]): void {
  if (options === undefined || options === null) return;
  if (typeof options !== 'object') throw new Error(`${op}: options must be an object, got ${typeof options}`);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`${op}: unknown option '${key.slice(0, 60)}' (supported: ${known.join(', ')})`);
  }
}
