// A grid of 28x28 digits as a grayscale PNG, written with node:zlib alone (deflate and CRC-32
// are all the format needs), so the examples need no image library.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** 8-bit grayscale PNG of width x height pixels given row-major in [0, 1]. */
export function grayPng(pixels: Float32Array, width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // bit depth 8, grayscale, deflate, no filter, no interlace
  // Each scanline starts with its filter type byte (0: none).
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) raw[y * (width + 1) + 1 + x] = Math.round(255 * Math.min(1, Math.max(0, pixels[y * width + x]!)));
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** Writes `rows` x `cols` digits (each 28x28, in `digits` one after another), scaled up and spaced. */
export function writeDigitGrid(path: string, digits: Float32Array, rows: number, cols: number, scale = 3): void {
  const cell = 28 * scale + 4;
  const width = cols * cell, height = rows * cell;
  const pixels = new Float32Array(width * height).fill(0.35); // grey gaps between white-on-black digits
  for (let d = 0; d < rows * cols; d++) {
    const top = Math.floor(d / cols) * cell + 2, left = (d % cols) * cell + 2;
    for (let y = 0; y < 28 * scale; y++) {
      for (let x = 0; x < 28 * scale; x++) {
        pixels[(top + y) * width + left + x] = digits[d * 784 + Math.floor(y / scale) * 28 + Math.floor(x / scale)]!;
      }
    }
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, grayPng(pixels, width, height));
}
