// Prints a request body holding one MNIST test digit, for curl against `dawngrad serve`:
//   npx tsx examples/digit-request.ts [--index 0] [--api tfserving|kserve] > digit.json
// TF Serving's row format {"instances": [image]} or KServe v2's {"inputs": [{name, shape,
// datatype, data}]}; the image is [1, 28, 28] with pixels in [0, 1], as the MNIST examples
// train on. The digit's true label goes to stderr.
import { parseArgs } from 'node:util';
import * as dg from '../src/index.js';

const { values } = parseArgs({ options: { index: { type: 'string', default: '0' }, api: { type: 'string', default: 'tfserving' } } });
const index = Number(values.index);
if (!(Number.isInteger(index) && index >= 0 && index < 10000) || (values.api !== 'tfserving' && values.api !== 'kserve')) {
  console.error('usage: npx tsx examples/digit-request.ts [--index 0..9999] [--api tfserving|kserve]');
  process.exit(1);
}
const test = await dg.data.mnistArrays({ split: 'test' });
// Three decimals are plenty for 8-bit pixels and keep the body small.
const pixels = Array.from(test.images.subarray(index * 784, (index + 1) * 784), (v) => Math.round(v * 1000) / 1000);
const image = [Array.from({ length: 28 }, (_, r) => pixels.slice(r * 28, (r + 1) * 28))];
const body = values.api === 'tfserving'
  ? { instances: [image] }
  : { inputs: [{ name: 'input', shape: [1, 1, 28, 28], datatype: 'FP32', data: pixels }] };
console.log(JSON.stringify(body));
console.error(`test digit ${index}: label ${test.labels[index]}`);
