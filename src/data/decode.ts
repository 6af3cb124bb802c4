// PNG and JPEG files to 8-bit RGBA pixels, with pngjs and jpeg-js (pure JavaScript, no native
// build). The format is read from the file's first bytes, not its name, as PIL (and so Keras)
// does: a PNG saved as .jpg still loads.
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

export interface RgbaImage {
  width: number;
  height: number;
  /** Row-major, 4 bytes (R, G, B, A) per pixel. */
  data: Uint8Array;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const startsWith = (bytes: Uint8Array, prefix: number[]) => prefix.every((b, i) => bytes[i] === b);

/** Decodes a PNG or JPEG; throws (with the decoder's reason) on anything else or a damaged file. */
export function decodeImage(bytes: Uint8Array): RgbaImage {
  if (startsWith(bytes, PNG_SIGNATURE)) {
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return { width: png.width, height: png.height, data: png.data };
  }
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) {
    // Not tolerant: a truncated JPEG is an error, as in PIL, rather than an image half grey.
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, tolerantDecoding: false });
    return { width: img.width, height: img.height, data: img.data };
  }
  const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new Error(`not a PNG or JPEG file (it starts with ${bytes.length === 0 ? 'nothing: the file is empty' : `bytes ${head}`})`);
}
