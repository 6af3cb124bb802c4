// The demo's pure parts, in Node: the drawing -> MNIST-input preprocessing and the digits file.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeDigits, encodeDigits } from '../examples/web/digitsFile.js';
import { toMnist } from '../examples/web/preprocess.js';
import { throwsWith } from './support/compare.js';

const t = suite('demo: preprocessing and the digits file');

/** A w x h field with a filled rectangle [x0, x1) x [y0, y1). */
function rect(w: number, h: number, x0: number, x1: number, y0: number, y1: number): Float32Array {
  const out = new Float32Array(w * h);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) out[y * w + x] = 1;
  return out;
}

function bounds(img: Float32Array): { left: number; right: number; top: number; bottom: number; cx: number; cy: number } {
  let left = 28, right = -1, top = 28, bottom = -1, mass = 0, mx = 0, my = 0;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const v = img[y * 28 + x]!;
      if (v <= 0) continue;
      left = Math.min(left, x); right = Math.max(right, x); top = Math.min(top, y); bottom = Math.max(bottom, y);
      mass += v; mx += v * (x + 0.5); my += v * (y + 0.5);
    }
  }
  return { left, right, top, bottom, cx: mx / mass, cy: my / mass };
}

t('an off-centre tall stroke becomes 20 pixels high, aspect kept, centred by mass', () => {
  // 40 wide, 200 high, in the top-left corner of a 280x280 pad.
  const img = toMnist(rect(280, 280, 10, 50, 5, 205), 280, 280)!;
  const b = bounds(img);
  assert.is(b.bottom - b.top + 1, 20);
  assert.is(b.right - b.left + 1, 4);
  assert.ok(Math.abs(b.cx - 14) <= 0.5 && Math.abs(b.cy - 14) <= 0.5, `centre of mass at ${b.cx}, ${b.cy}`);
  assert.ok(img.every((v) => v >= 0 && v <= 1));
});

t('mass, not the bounding box, is centred: a heavy left half shifts the box right', () => {
  const ink = rect(100, 100, 0, 100, 0, 100);
  for (let y = 0; y < 100; y++) for (let x = 50; x < 100; x++) ink[y * 100 + x] = 0.2;
  const b = bounds(toMnist(ink, 100, 100)!);
  assert.ok(Math.abs(b.cx - 14) <= 0.5, `centre of mass x ${b.cx}`);
  assert.ok((b.left + b.right + 1) / 2 > 14, 'the box sits right of centre');
});

t('an empty pad gives null, and a wrong size says what it expected', () => {
  assert.is(toMnist(new Float32Array(16), 4, 4), null);
  throwsWith(() => toMnist(new Float32Array(15), 4, 4), ['toMnist: expected 4x4 = 16 values, got 15'], 'size');
});

t('the digits file round-trips and refuses other bytes', () => {
  const pixels = Uint8Array.from({ length: 2 * 784 }, (_, i) => i % 256);
  const bytes = encodeDigits({ count: 2, pixels, labels: Uint8Array.from([7, 3]) });
  const back = decodeDigits(bytes, 'x.bin');
  assert.is(back.count, 2);
  assert.equal(Array.from(back.labels), [7, 3]);
  assert.equal(back.pixels, pixels);
  throwsWith(() => decodeDigits(bytes.subarray(0, 100), 'cut.bin'), ['decodeDigits: cut.bin holds 100 bytes; 2 digits need 1578'], 'truncated');
  throwsWith(() => decodeDigits(new Uint8Array(8), 'zeros.bin'), ["decodeDigits: zeros.bin is not a digits file (expected 'DGD1'"], 'magic');
});

t.run();
