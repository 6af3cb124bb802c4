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
/** The largest image decoded (jpeg-js' own default limit, applied to PNGs too): a header can claim any size. */
const MAX_MEGAPIXELS = 100;

const startsWith = (bytes: Uint8Array, prefix: number[]) => prefix.every((b, i) => bytes[i] === b);

/** Decodes a PNG or JPEG; throws (with the decoder's reason) on anything else or a damaged file. */
export function decodeImage(bytes: Uint8Array): RgbaImage {
  if (startsWith(bytes, PNG_SIGNATURE)) {
    // IHDR comes first: width and height, big-endian, at bytes 16 and 20.
    if (bytes.length >= 24) {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const [w, h] = [view.getUint32(16), view.getUint32(20)];
      if (w * h > MAX_MEGAPIXELS * 1e6) throw new Error(`its header says ${w}x${h} pixels, more than the ${MAX_MEGAPIXELS} megapixels decoded`);
    }
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return { width: png.width, height: png.height, data: png.data };
  }
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) {
    // Not tolerant: a truncated JPEG is an error, as in PIL, rather than an image half grey.
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, tolerantDecoding: false, maxResolutionInMP: MAX_MEGAPIXELS });
    return { width: img.width, height: img.height, data: img.data };
  }
  const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new Error(`not a PNG or JPEG file (it starts with ${bytes.length === 0 ? 'nothing: the file is empty' : `bytes ${head}`})`);
}
