// ImageDataGenerator: each augmentation keeps the batch's shape and value range, changes the
// images, and is reproducible under dg.manualSeed; flips and fills do exactly what they say.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import { ImageDataGenerator, type ImageDataGeneratorOptions } from '../src/data/augment.js';
import type { HostTensor } from '../src/io/safetensors.js';
import { seeded, throwsWith } from './support/compare.js';

const test = suite('data augment');

/** A batch [5, 2, 13, 11] (odd, unequal sides) of values in [0, 1]. */
function batch(): HostTensor {
  const shape = [5, 2, 13, 11];
  return { shape, data: Float32Array.from(seeded(5 * 2 * 13 * 11, 3, 'uniform'), (v) => (v + 1) / 2) };
}

const AUGMENTATIONS: [string, ImageDataGeneratorOptions][] = [
  ['width shift (fraction)', { widthShiftRange: 0.2 }],
  ['height shift (pixels)', { heightShiftRange: 3 }],
  ['zoom', { zoomRange: 0.3 }],
  ['shear', { shearRange: 30 }],
  ['rotation', { rotationRange: 40 }],
  ['horizontal flip', { horizontalFlip: true }],
  ['all at once, constant fill', { widthShiftRange: 0.1, heightShiftRange: 0.1, zoomRange: [0.8, 1.2], shearRange: 10, rotationRange: 15, horizontalFlip: true, fillMode: 'constant' }],
  ['reflect fill', { zoomRange: [1.5, 1.5], fillMode: 'reflect' }],
  ['wrap fill', { widthShiftRange: 4, fillMode: 'wrap' }],
];

for (const [name, options] of AUGMENTATIONS) {
  test(`${name}: same shape, values stay in [0, 1], images change, reproducible under a seed`, () => {
    const input = batch();
    const gen = new ImageDataGenerator(options);
    dg.manualSeed(5);
    const out = gen.apply(input);
    assert.equal(out.shape, input.shape);
    assert.ok(out.data.every((v) => v >= 0 && v <= 1), `${name}: a value left [0, 1]`);
    assert.not.equal([...out.data], [...input.data], `${name}: changed nothing`);
    dg.manualSeed(5);
    assert.equal([...gen.apply(input).data], [...out.data], `${name}: not reproducible`);
  });
}

test('no options is the identity, and rescale multiplies', () => {
  const input = batch();
  assert.equal([...new ImageDataGenerator().apply(input).data], [...input.data]);
  const bytes: HostTensor = { shape: [1, 1, 2, 2], data: Float32Array.of(0, 51, 255, 102) };
  assert.equal([...new ImageDataGenerator({ rescale: 1 / 255 }).apply(bytes).data], [0, 0.2, 1, 0.4].map(Math.fround));
});

test('horizontal flip mirrors whole images (all channels) or leaves them, and does both', () => {
  const input = batch();
  const [n, c, h, w] = input.shape as number[];
  dg.manualSeed(2);
  const out = new ImageDataGenerator({ horizontalFlip: true }).apply(input).data;
  let flipped = 0;
  for (let i = 0; i < n!; i++) {
    const img = (d: Float32Array | Int32Array, mirror: boolean) => Array.from({ length: c! * h! * w! }, (_, k) => {
      const q = k % w!;
      return d[i * c! * h! * w! + k - q + (mirror ? w! - 1 - q : q)];
    });
    const same = String(img(out, false)) === String(img(input.data, false));
    const mirrored = String(img(out, false)) === String(img(input.data, true));
    assert.ok(same || mirrored, `image ${i} is neither itself nor its mirror`);
    if (mirrored) flipped++;
  }
  assert.ok(flipped > 0 && flipped < n!, `flipped ${flipped} of ${n}`);
});

test('shifts and zooms are the affine maps they claim: on a ramp, pixel q reads q + t or c + z (q - c)', () => {
  const w = 21;
  const c = (w - 1) / 2;
  const ramp: HostTensor = { shape: [8, 1, 1, w], data: Float32Array.from({ length: 8 * w }, (_, k) => k % w) };
  // Bilinear resampling reproduces a linear image exactly, so one pixel right of the centre
  // reveals each image's parameter, and every pixel must then follow the map (clamped by 'nearest').
  const cases = [
    { what: 'shift', options: { widthShiftRange: 3 }, range: [-3, 3], param: (v: number) => v - (c + 1), src: (q: number, t: number) => q + t },
    { what: 'zoom', options: { zoomRange: 0.25 }, range: [0.75, 1.25], param: (v: number) => v - c, src: (q: number, z: number) => c + z * (q - c) },
  ];
  dg.manualSeed(4);
  for (const { what, options, range, param, src } of cases) {
    const out = new ImageDataGenerator(options).apply(ramp).data;
    for (let i = 0; i < 8; i++) {
      const row = out.subarray(i * w, (i + 1) * w);
      const p = param(row[c + 1]!);
      assert.ok(p >= range[0]! - 1e-5 && p <= range[1]! + 1e-5, `${what}: parameter ${p} outside [${range}]`);
      for (let q = 0; q < w; q++) {
        const expected = Math.min(w - 1, Math.max(0, src(q, p)));
        assert.ok(Math.abs(row[q]! - expected) < 1e-4, `${what}: image ${i} pixel ${q} is ${row[q]}, expected ${expected}`);
      }
    }
  }
});

test('constant fill puts cval where a zoom-out reaches past the edge; nearest fill keeps a flat image flat', () => {
  const zeros: HostTensor = { shape: [1, 1, 9, 9], data: new Float32Array(81) };
  const out = new ImageDataGenerator({ zoomRange: [3, 3], fillMode: 'constant', cval: 0.5 }).apply(zeros).data;
  assert.is(out[0], 0.5, 'corner samples outside the image');
  assert.is(out[4 * 9 + 4], 0, 'centre samples the image');
  const flat: HostTensor = { shape: [2, 1, 9, 9], data: new Float32Array(162).fill(0.25) };
  const moved = new ImageDataGenerator({ rotationRange: 90, zoomRange: 0.5, widthShiftRange: 0.5 }).apply(flat).data;
  assert.ok(moved.every((v) => Math.abs(v - 0.25) < 1e-7));
});

test('flow batches images with their labels and augments only the images', async () => {
  await dg.init({ backend: 'cpu' });
  const x = batch();
  const y: HostTensor = { shape: [5], data: Int32Array.of(0, 1, 2, 3, 4) };
  dg.manualSeed(9);
  const loader = new ImageDataGenerator({ horizontalFlip: true }).flow(x, y, { batchSize: 2 });
  assert.is(loader.length, 3);
  const labels: number[] = [];
  for (const [xb, yb] of loader) {
    assert.equal(xb!.shape.slice(1), [2, 13, 11]);
    labels.push(...await yb!.data());
  }
  assert.equal([...labels].sort(), [0, 1, 2, 3, 4]);
});

test('bad options and inputs are errors', () => {
  throwsWith(() => new ImageDataGenerator({ zoomRange: 1.5 }), ['zoomRange', '0 < lo <= hi', '-0.5'], 'zoom');
  throwsWith(() => new ImageDataGenerator({ shearRange: -3 }), ['shearRange must be a non-negative number, got -3'], 'shear');
  throwsWith(() => new ImageDataGenerator({ fillMode: 'mirror' as 'wrap' }), ["fillMode", "'mirror'"], 'fill');
  throwsWith(() => new ImageDataGenerator().apply({ shape: [28, 28], data: new Float32Array(784) }), ['expected float32 images [N, C, H, W]', '[28, 28]'], 'rank');
});

test.run();
