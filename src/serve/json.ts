// JSON with TF Serving's non-finite floats: requests may hold the bare tokens NaN, Infinity and
// -Infinity (which JSON itself lacks), and responses write them the same way, as TF Serving's
// RapidJSON does and Python's json module reads. Everything else is strict JSON.

/** JSON.parse, retried with bare NaN/Infinity/-Infinity tokens turned into the strings "NaN", ... */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    if (!/NaN|Infinity/.test(text)) throw e;
    return JSON.parse(quoteNonFinite(text));
  }
}

// Walks the text once, outside string literals only, so a "NaN" inside a string stays as it is.
function quoteNonFinite(text: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92 /* \ */) i++;
      continue;
    }
    const token = text.startsWith('NaN', i) ? 'NaN' : text.startsWith('-Infinity', i) ? '-Infinity' : text.startsWith('Infinity', i) ? 'Infinity' : null;
    if (token) {
      out += `${text.slice(last, i)}"${token}"`;
      i += token.length - 1;
      last = i + 1;
    }
  }
  return out + text.slice(last);
}

/** A number as TF Serving writes it: NaN, Infinity and -Infinity as bare tokens. */
export function numberJson(v: number): string {
  return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

/** Already-serialised JSON, spliced into a response by `toJson` (tensors are written this way, fast). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** JSON.stringify for plain data with RawJson fragments inside. */
export function toJson(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (typeof value === 'number') return numberJson(value);
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const parts = Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`);
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A row-major array as nested JSON lists of the given shape (a flat list for shape [n]). */
export function nestedJson(data: ArrayLike<number>, shape: readonly number[]): RawJson {
  let at = 0;
  const write = (dim: number): string => {
    if (dim === shape.length) return numberJson(data[at++]!);
    const parts = new Array<string>(shape[dim]!);
    for (let i = 0; i < shape[dim]!; i++) parts[i] = write(dim + 1);
    return `[${parts.join(',')}]`;
  };
  return new RawJson(write(0));
}
