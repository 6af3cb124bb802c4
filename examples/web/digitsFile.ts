// The demo's training set on disk: a compact binary file of MNIST digits the page fetches.
// Layout (little-endian): 'DGD1', uint32 count, count * 784 uint8 pixels (row-major 28x28,
// 0 = background), count uint8 labels. 1 byte a pixel keeps 3000 digits at 2.3 MB; float32
// would be four times that for no gain, since MNIST's pixels are bytes to begin with.
export const DIGITS_MAGIC = 'DGD1';
export const PIXELS = 28 * 28;

export interface Digits {
  count: number;
  pixels: Uint8Array;
  labels: Uint8Array;
}

export function encodeDigits(d: Digits): Uint8Array {
  const out = new Uint8Array(8 + d.count * (PIXELS + 1));
  out.set([...DIGITS_MAGIC].map((c) => c.charCodeAt(0)));
  new DataView(out.buffer).setUint32(4, d.count, true);
  out.set(d.pixels.subarray(0, d.count * PIXELS), 8);
  out.set(d.labels.subarray(0, d.count), 8 + d.count * PIXELS);
  return out;
}

export function decodeDigits(bytes: Uint8Array, source: string): Digits {
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (bytes.length < 8 || magic !== DIGITS_MAGIC) throw new Error(`decodeDigits: ${source} is not a digits file (expected '${DIGITS_MAGIC}', got '${magic}')`);
  const count = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  const want = 8 + count * (PIXELS + 1);
  if (bytes.length !== want) throw new Error(`decodeDigits: ${source} holds ${bytes.length} bytes; ${count} digits need ${want}`);
  return { count, pixels: bytes.subarray(8, 8 + count * PIXELS), labels: bytes.subarray(8 + count * PIXELS) };
}
