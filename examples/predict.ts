// Loads a model saved by an MNIST example and prints its predictions for a few test digits,
// each drawn in ASCII.   npx tsx examples/predict.ts runs/mnist/model.safetensors [--count 4] [--from 0]
import { parseArgs } from 'node:util';
import * as dg from '../src/index.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { count: { type: 'string', default: '4' }, from: { type: 'string', default: '0' }, backend: { type: 'string', default: 'webgpu' } },
});
const [path] = positionals;
const count = Number(values.count), from = Number(values.from);
if (!path || !(Number.isInteger(count) && count >= 1) || !(Number.isInteger(from) && from >= 0 && from + count <= 10000)) {
  console.error('usage: npx tsx examples/predict.ts runs/mnist/model.safetensors [--count 4] [--from 0] [--backend webgpu|cpu]');
  process.exit(1);
}
if (values.backend !== 'webgpu' && values.backend !== 'cpu') throw new Error(`--backend must be 'webgpu' or 'cpu', got '${values.backend}'`);
await dg.init({ backend: values.backend });

const model = await dg.load(path);
// The LSTM example reads an image as 28 rows of 28 pixels; the others take [N, 1, 28, 28].
const rows = model instanceof dg.nn.Sequential && model.at(0) instanceof dg.nn.LSTM;
const test = await dg.data.mnistArrays({ split: 'test' });
const pixels = test.images.subarray(from * 784, (from + count) * 784);
const logits = await model.predict(dg.tensor(pixels, rows ? [count, 28, 28] : [count, 1, 28, 28]));
const probs = await logits.softmax(1).array() as number[][];

const SHADES = ' .:-=+*#%@';
for (let i = 0; i < count; i++) {
  const p = probs[i]!;
  const guess = p.indexOf(Math.max(...p));
  const truth = test.labels[from + i]!;
  console.log(`test image ${from + i}: predicted ${guess} (p = ${p[guess]!.toFixed(3)}), label ${truth}${guess === truth ? '' : '  <- wrong'}`);
  // Two image rows per text line, as characters are about twice as tall as wide.
  for (let y = 0; y < 28; y += 2) {
    let line = '';
    for (let x = 0; x < 28; x++) {
      const v = Math.max(pixels[i * 784 + y * 28 + x]!, pixels[i * 784 + (y + 1) * 28 + x]!);
      line += SHADES[Math.min(SHADES.length - 1, Math.floor(v * SHADES.length))];
    }
    console.log(`  |${line}|`);
  }
}
