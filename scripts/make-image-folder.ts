// Writes a folder of real image files for flowFromDirectory (and `npm run images`): MNIST digits
// of a few classes as RGB PNG and JPEG files (alternately), each digit stroked in a random
// colour on a dark background, in Keras' layout:
//   OUT/train/<digit>/00000.png ...      from MNIST's training split
//   OUT/validation/<digit>/00001.jpg ... from MNIST's test split
//   OUT/test/<digit>/...                 the next digits of MNIST's test split (no image in two folders)
//   npx tsx scripts/make-image-folder.ts [--out data/digits] [--digits 0,1,2] [--train 200] [--validation 50] [--test 50] [--size 28] [--seed 0]
// --train/--validation/--test are images per class; --size scales the 28x28 digits (nearest pixel).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { seededRandom } from '../src/core/random.js';
import * as dg from '../src/index.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'data/digits' },
    digits: { type: 'string', default: '0,1,2' },
    train: { type: 'string', default: '200' },
    validation: { type: 'string', default: '50' },
    test: { type: 'string', default: '50' },
    size: { type: 'string', default: '28' },
    seed: { type: 'string', default: '0' },
  },
});
const count = (flag: 'train' | 'validation' | 'test' | 'size' | 'seed', min: number) => {
  const v = Number(values[flag]);
  if (!Number.isInteger(v) || v < min) throw new Error(`make-image-folder: --${flag} must be an integer >= ${min}, got '${values[flag]}'`);
  return v;
};
const digits = values.digits!.split(',').map(Number);
if (digits.length < 2 || digits.some((d) => !Number.isInteger(d) || d < 0 || d > 9) || new Set(digits).size !== digits.length) {
  throw new Error(`make-image-folder: --digits must list two or more different digits 0-9, got '${values.digits}'`);
}
const size = count('size', 1);
const rand = seededRandom(count('seed', 0));
const out = values.out!;

/** One digit (28x28 in [0, 1]) as RGBA bytes at size x size: a random bright colour on near-black. */
function colourDigit(pixels: Float32Array): Uint8Array {
  const colour = [0, 1, 2].map(() => 100 + Math.floor(rand() * 156));
  const rgba = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = pixels[Math.floor((y * 28) / size) * 28 + Math.floor((x * 28) / size)]!;
      const at = 4 * (y * size + x);
      for (let c = 0; c < 3; c++) rgba[at + c] = Math.round(12 + v * (colour[c]! - 12));
      rgba[at + 3] = 255;
    }
  }
  return rgba;
}

function encode(rgba: Uint8Array, asPng: boolean): Buffer {
  if (!asPng) return jpeg.encode({ width: size, height: size, data: rgba }, 92).data;
  const png = new PNG({ width: size, height: size });
  png.data.set(rgba);
  return PNG.sync.write(png, { colorType: 2 });
}

// Where each folder starts reading its MNIST split: test/ continues after validation/.
const next = { train: 0, test: 0 };
for (const [subset, split, perClass] of [['train', 'train', count('train', 1)], ['validation', 'test', count('validation', 1)], ['test', 'test', count('test', 1)]] as const) {
  rmSync(join(out, subset), { recursive: true, force: true });
  const mnist = await dg.data.mnistArrays({ split });
  const written = new Map(digits.map((d) => [d, 0]));
  let i = next[split];
  for (; i < mnist.labels.length && [...written.values()].some((n) => n < perClass); i++) {
    const d = mnist.labels[i]!;
    const n = written.get(d);
    if (n === undefined || n >= perClass) continue;
    const dir = join(out, subset, String(d));
    mkdirSync(dir, { recursive: true });
    const asPng = n % 2 === 0;
    const name = `${String(n).padStart(5, '0')}.${asPng ? 'png' : 'jpg'}`;
    writeFileSync(join(dir, name), encode(colourDigit(mnist.images.subarray(i * 784, (i + 1) * 784)), asPng));
    written.set(d, n + 1);
  }
  next[split] = i;
  console.log(`${join(out, subset)}: ${[...written].map(([d, n]) => `${n} of digit ${d}`).join(', ')} (${size}x${size} RGB, PNG and JPEG)`);
}
