// ImageDataGenerator.flowFromDirectory on a tree of real PNG and JPEG files written here: Keras'
// class indices, file order and attributes; shapes and labels for every classMode and colorMode;
// resizing and colour conversion against hand-computed pixels; seeded shuffles; augmentation;
// files read only when their batch is made, a damaged one named by its path; fit on the batches.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import { random } from '../src/core/random.js';
import type { DirectoryIterator, FlowFromDirectoryOptions } from '../src/data/directory.js';
import type { HostTensor } from '../src/io/safetensors.js';
import { assertClose, throwsWith } from './support/compare.js';

const test = suite('data directory');
const root = mkdtempSync(join(tmpdir(), 'dawngrad-images-'));

/** width x height RGBA bytes, pixel (x, y) from `colour`. */
function pixels(width: number, height: number, colour: (x: number, y: number) => [number, number, number]): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([...colour(x, y), 255], 4 * (y * width + x));
  return data;
}

function write(path: string, width: number, height: number, data: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  if (/\.png$/i.test(path)) {
    const png = new PNG({ width, height });
    png.data.set(data);
    writeFileSync(path, PNG.sync.write(png, { colorType: 6 }));
  } else {
    writeFileSync(path, jpeg.encode({ width, height, data }, 100).data);
  }
}

// The main tree: three classes, one nested folder, files of mixed sizes and cases of extension.
// Each image is one colour whose red channel (20 + 30 k) names file k and blue its class.
const CLASS_DIR = join(root, 'tree');
const FILES = ['cats/c0.png', 'cats/c1.jpg', 'cats/sub/c2.png', 'dogs/d0.png', 'dogs/d1.jpeg', 'dogs/d2.PNG', 'owls/o0.png', 'owls/o1.jpg'];
const CLASS_OF = [0, 0, 0, 1, 1, 1, 2, 2];
const red = (k: number) => 20 + 30 * k;
FILES.forEach((f, k) => {
  const [w, h] = [3 + k, 9 - k];
  write(join(CLASS_DIR, f), w, h, pixels(w, h, () => [red(k), 255 - red(k), 100 * CLASS_OF[k]!]));
});
// Not images of any class: a file at the top, and non-image files (Keras skips both).
write(join(CLASS_DIR, 'loose.png'), 2, 2, pixels(2, 2, () => [0, 0, 0]));
writeFileSync(join(CLASS_DIR, 'owls', 'notes.txt'), 'not an image');
writeFileSync(join(CLASS_DIR, 'owls', '.DS_Store'), 'not an image');

const flow = (options: FlowFromDirectoryOptions = {}, generator = new dg.data.ImageDataGenerator()) =>
  generator.flowFromDirectory(CLASS_DIR, { targetSize: [4, 6], batchSize: 3, ...options });

/** One pass on the host: every batch's columns. */
const pass = (it: DirectoryIterator): HostTensor[][] => [...it.hostBatches()];

/** Which file (k) each image of a batch is, from its red channel (JPEG moves it by a few levels). */
function fileIds(images: HostTensor): number[] {
  const [n, c, h, w] = images.shape as number[];
  return Array.from({ length: n! }, (_, i) => Math.round((images.data[i * c! * h! * w!]! - 20) / 30));
}

const order = (it: DirectoryIterator) => pass(it).flatMap(([x]) => fileIds(x!));

test.before(async () => { await dg.init({ backend: 'cpu' }); });

test("Keras' class indices, file order, classes and counts; loose and non-image files ignored", () => {
  const it = flow();
  assert.equal(it.classIndices, { cats: 0, dogs: 1, owls: 2 });
  assert.equal(it.filenames, FILES);
  assert.equal([...it.classes], CLASS_OF);
  assert.is(it.samples, 8);
  assert.is(it.numClasses, 3);
  assert.equal(it.imageShape, [3, 4, 6]);
  assert.is(it.length, 3, 'ceil(8 / 3) batches');
  assert.equal(pass(it).map(([x]) => x!.shape[0]), [3, 3, 2]);
});

test('`classes` picks and orders the class folders', () => {
  const it = flow({ classes: ['owls', 'cats'] });
  assert.equal(it.classIndices, { owls: 0, cats: 1 });
  assert.equal(it.filenames, [...FILES.slice(6), ...FILES.slice(0, 3)]);
  assert.equal([...it.classes], [0, 0, 1, 1, 1]);
});

const SHAPES: [string, FlowFromDirectoryOptions, number, string, number[] | null][] = [
  ['categorical rgb', { classMode: 'categorical', colorMode: 'rgb' }, 3, 'float32', [3, 3]],
  ['sparse grayscale', { classMode: 'sparse', colorMode: 'grayscale' }, 1, 'int32', [3]],
  ['binary rgba (two classes)', { classMode: 'binary', colorMode: 'rgba', classes: ['cats', 'dogs'] }, 4, 'float32', [3]],
  ['no labels (classMode null)', { classMode: null }, 3, '', null],
];

for (const [name, options, channels, dtype, labelShape] of SHAPES) {
  test(`${name}: images [N, ${channels}, 4, 6] float32 and labels ${labelShape ? `${dtype} [${labelShape.join(', ')}]` : 'absent'}`, async () => {
    const batch = [...flow({ ...options, shuffle: false })][0]!;
    assert.is(batch.length, labelShape ? 2 : 1);
    assert.equal(batch[0]!.shape, [3, channels, 4, 6]);
    assert.is(batch[0]!.dtype, 'float32');
    if (labelShape) {
      assert.equal(batch[1]!.shape, labelShape);
      assert.is(batch[1]!.dtype, dtype);
    }
    for (const t of batch) t.dispose();
  });
}

test('every label is its file\'s class, in every mode, across shuffled batches; each file once per pass', () => {
  for (const classMode of ['categorical', 'sparse', 'binary'] as const) {
    const it = flow({ classMode, seed: 4, ...(classMode === 'binary' ? { classes: ['cats', 'dogs'] } : {}) });
    const seen: number[] = [];
    for (const [x, y] of pass(it)) {
      fileIds(x!).forEach((k, i) => {
        const row = [...y!.data.subarray(3 * i, 3 * i + 3)];
        const label = classMode === 'categorical' ? row.indexOf(1) : y!.data[i];
        assert.is(label, CLASS_OF[k], `${classMode}: ${FILES[k]}`);
        if (classMode === 'categorical') assert.is(row.reduce((a, b) => a + b, 0), 1, 'one-hot');
        seen.push(k);
      });
    }
    assert.equal(seen.sort(), classMode === 'binary' ? [0, 1, 2, 3, 4, 5] : [0, 1, 2, 3, 4, 5, 6, 7]);
  }
});

test('pixels keep 0-255 values: a PNG exactly, a JPEG within its loss; rescale multiplies', () => {
  const [[x]] = pass(flow({ shuffle: false, batchSize: 2 }));
  const plane = 4 * 6;
  for (const [i, tol] of [[0, 0], [1, 3]] as const) {
    const k = i; // c0.png, c1.jpg
    const at = (c: number) => [...x!.data.subarray(i * 3 * plane + c * plane, i * 3 * plane + (c + 1) * plane)];
    assertClose(at(0), new Array(plane).fill(red(k)), { atol: tol, rtol: 0 }, `${FILES[k]} red`);
    assertClose(at(1), new Array(plane).fill(255 - red(k)), { atol: tol, rtol: 0 }, `${FILES[k]} green`);
  }
  const [[scaled]] = pass(flow({ shuffle: false, batchSize: 2 }, new dg.data.ImageDataGenerator({ rescale: 1 / 255 })));
  assertClose(scaled!.data, x!.data.map((v) => v / 255), { atol: 1e-7, rtol: 0 }, 'rescale 1/255');
});

// A separate folder per hand-checked image, read with shuffle off and batch size 1.
function single(name: string, width: number, height: number, data: Uint8Array, options: FlowFromDirectoryOptions): Float32Array {
  write(join(root, name, 'only', 'image.png'), width, height, data);
  const it = new dg.data.ImageDataGenerator().flowFromDirectory(join(root, name), { shuffle: false, batchSize: 1, ...options });
  return pass(it)[0]![0]!.data as Float32Array;
}

test('bilinear resize of 2x2 to 4x4 samples pixel centres (torch interpolate, align_corners=False)', () => {
  const g = [0, 100, 200, 250];
  const out = single('up', 2, 2, pixels(2, 2, (x, y) => [g[2 * y + x]!, g[2 * y + x]!, g[2 * y + x]!]), { targetSize: [4, 4], colorMode: 'grayscale' });
  // Output i samples (i + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25, clamped to [0, 1].
  assert.equal([...out], [
    0, 25, 75, 100,
    50, 71.875, 115.625, 137.5,
    150, 165.625, 196.875, 212.5,
    200, 212.5, 237.5, 250,
  ]);
});

test('nearest resize takes the pixel under each sample point, up and down', () => {
  const g = [0, 100, 200, 250];
  const up = single('near-up', 2, 2, pixels(2, 2, (x, y) => [g[2 * y + x]!, 0, 0]), { targetSize: [4, 4], interpolation: 'nearest' });
  assert.equal([...up.subarray(0, 16)], [0, 0, 100, 100, 0, 0, 100, 100, 200, 200, 250, 250, 200, 200, 250, 250]);
  const down = single('near-down', 4, 4, pixels(4, 4, (x, y) => [10 * (4 * y + x), 0, 0]), { targetSize: [2, 2], interpolation: 'nearest' });
  assert.equal([...down.subarray(0, 4)], [50, 70, 130, 150], 'pixels (1, 1), (3, 1), (1, 3), (3, 3)');
});

test("grayscale is PIL's rounded ITU-R 601-2 luma; rgb drops alpha", () => {
  const rgb: [number, number, number][] = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [90, 90, 90]];
  const gray = single('luma', 4, 1, pixels(4, 1, (x) => rgb[x]!), { targetSize: [1, 4], colorMode: 'grayscale' });
  assert.equal([...gray], [76, 150, 29, 90], 'PIL: red 76, green 150, blue 29, grey kept');
  const translucent = Uint8Array.from([10, 20, 30, 0]);
  write(join(root, 'alpha', 'only', 'image.png'), 1, 1, translucent);
  const it = new dg.data.ImageDataGenerator().flowFromDirectory(join(root, 'alpha'), { targetSize: [1, 1], batchSize: 1 });
  assert.equal([...pass(it)[0]![0]!.data], [10, 20, 30]);
});

test('a seed fixes the shuffles (a new order each pass) and leaves dg.manualSeed alone; shuffle false keeps file order', () => {
  const a = flow({ seed: 7 }), b = flow({ seed: 7 });
  const [a1, a2] = [order(a), order(a)];
  assert.equal([order(b), order(b)], [a1, a2], 'same seed, same passes');
  assert.not.equal(a1, a2, 'each pass reshuffles');
  assert.not.equal(order(flow({ seed: 8 })), a1, 'another seed, another order');
  assert.equal(order(flow({ shuffle: false })), [0, 1, 2, 3, 4, 5, 6, 7]);
  dg.manualSeed(3);
  const next = random();
  dg.manualSeed(3);
  order(flow({ seed: 7 }));
  assert.is(random(), next, 'a seeded iterator drew from the dg.manualSeed stream');
});

test('without a seed, the shuffles follow dg.manualSeed', () => {
  dg.manualSeed(11);
  const first = order(flow());
  dg.manualSeed(11);
  assert.equal(order(flow()), first);
});

// Eight copies of one left-to-right ramp, so a flip shows and every image can be checked.
const RAMP_DIR = join(root, 'ramps');
const RAMP_W = 5, RAMP_H = 3;
for (let k = 0; k < 8; k++) write(join(RAMP_DIR, 'ramp', `r${k}.png`), RAMP_W, RAMP_H, pixels(RAMP_W, RAMP_H, (x) => [50 * x, 50 * x, 50 * x]));

test('augmentation runs per batch: flips mirror some images and not others, anew each pass, then rescale', () => {
  const generator = new dg.data.ImageDataGenerator({ horizontalFlip: true, rescale: 1 / 255 });
  const it = generator.flowFromDirectory(RAMP_DIR, { targetSize: [RAMP_H, RAMP_W], colorMode: 'grayscale', batchSize: 8, seed: 1, shuffle: false });
  const row = (flip: boolean) => Array.from({ length: RAMP_W }, (_, x) => Math.fround((50 * (flip ? RAMP_W - 1 - x : x)) / 255));
  const passes = [0, 1, 2].map(() => {
    const [[x]] = pass(it);
    return Array.from({ length: 8 }, (_, i) => {
      const image = [...x!.data.subarray(i * RAMP_W * RAMP_H, (i + 1) * RAMP_W * RAMP_H)];
      const flipped = image.every((v, p) => v === row(true)[p % RAMP_W]);
      assert.ok(flipped || image.every((v, p) => v === row(false)[p % RAMP_W]), `image ${i} is neither the ramp nor its mirror`);
      return flipped;
    });
  });
  assert.ok(passes.every((p) => p.includes(true) && p.includes(false)), `each pass flips some: ${JSON.stringify(passes)}`);
  assert.not.equal(passes[0], passes[1], 'the flips are drawn anew each pass');
});

test("the seed's Keras augmentation (shear, zoom, flip, rescale) changes images and keeps [0, 1]", () => {
  const generator = new dg.data.ImageDataGenerator({ rescale: 1 / 255, shearRange: 20, zoomRange: 0.2, horizontalFlip: true });
  const [[x]] = pass(generator.flowFromDirectory(RAMP_DIR, { targetSize: [RAMP_H, RAMP_W], batchSize: 8, seed: 2 }));
  const [[plain]] = pass(new dg.data.ImageDataGenerator({ rescale: 1 / 255 }).flowFromDirectory(RAMP_DIR, { targetSize: [RAMP_H, RAMP_W], batchSize: 8, seed: 2 }));
  assert.ok(x!.data.every((v) => v >= 0 && v <= 1), 'a value left [0, 1]');
  assert.not.equal([...x!.data], [...plain!.data]);
});

/** A fresh copy of a small two-class tree under `name`, to damage. */
function twoClasses(name: string): string {
  const dir = join(root, name);
  for (const [k, f] of ['a/0.png', 'a/1.png', 'a/2.png', 'b/0.png', 'b/1.png', 'b/2.png'].entries()) {
    write(join(dir, f), 2, 2, pixels(2, 2, () => [red(k), 0, 0]));
  }
  return dir;
}

const drain = (it: DirectoryIterator) => () => { for (const batch of it) for (const t of batch) t.dispose(); };

test('files are read only when their batch is made: a file damaged after the scan fails its batch only, naming its path', () => {
  const dir = twoClasses('damaged');
  const it = new dg.data.ImageDataGenerator().flowFromDirectory(dir, { targetSize: [2, 2], batchSize: 3, shuffle: false });
  const bad = join(dir, 'b', '1.png');
  writeFileSync(bad, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]));
  const batches = it.hostBatches();
  assert.equal(batches.next().value![0]!.shape, [3, 3, 2, 2], 'the first batch (class a) is fine');
  throwsWith(() => batches.next(), ['flowFromDirectory', bad], 'damaged PNG');
});

const DAMAGE: [string, string, Uint8Array][] = [
  ['a truncated JPEG', '0.jpg', jpeg.encode({ width: 8, height: 8, data: pixels(8, 8, (x, y) => [x * 30, y * 30, 0]) }, 90).data.subarray(0, 200)],
  ['an empty file', '0.png', new Uint8Array(0)],
  ['text named .png', '0.png', new TextEncoder().encode('hello')],
  ['a PNG whose header claims 30000x30000 pixels', '0.png', hugePngHeader()],
];

/** A PNG signature and IHDR chunk for 30000 x 30000 RGBA, and nothing else: no decoder should allocate for it. */
function hugePngHeader(): Uint8Array {
  const bytes = new Uint8Array(33);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, 30000);
  view.setUint32(20, 30000);
  bytes.set([8, 6, 0, 0, 0], 24);
  return bytes;
}

for (const [what, name, bytes] of DAMAGE) {
  test(`${what}: the error names flowFromDirectory and the file`, () => {
    const dir = twoClasses(`bad-${name}-${bytes.length}`);
    const path = join(dir, 'a', name);
    writeFileSync(path, bytes);
    throwsWith(drain(new dg.data.ImageDataGenerator().flowFromDirectory(dir, { targetSize: [2, 2] })), ['flowFromDirectory: cannot read image', path, ...(what.includes('claims') ? ['30000x30000 pixels, more than the 100 megapixels'] : [])], what);
  });
}

test('a folder without classes or images, or with the wrong ones, is a clear error', () => {
  const gen = new dg.data.ImageDataGenerator();
  const empty = join(root, 'empty');
  mkdirSync(empty, { recursive: true });
  throwsWith(() => gen.flowFromDirectory(empty), ['flowFromDirectory', empty, 'no class subfolders'], 'empty folder');
  mkdirSync(join(root, 'no-images', 'a'), { recursive: true });
  writeFileSync(join(root, 'no-images', 'a', 'readme.txt'), 'x');
  throwsWith(() => gen.flowFromDirectory(join(root, 'no-images')), ['flowFromDirectory', 'no PNG or JPEG images'], 'classes without images');
  throwsWith(() => gen.flowFromDirectory(join(root, 'missing')), ['flowFromDirectory', 'is not a directory'], 'missing folder');
  throwsWith(() => flow({ classMode: 'binary' }), ["classMode 'binary' needs exactly 2 classes, found 3"], 'binary with 3 classes');
  throwsWith(() => flow({ classes: ['cats', 'bats'] }), ["class 'bats' has no folder"], 'unknown class');
  throwsWith(() => flow({ targetSize: [4, 0] as [number, number] }), ['targetSize must be [height, width] of positive integers, got [4,0]'], 'bad size');
  throwsWith(() => flow({ subset: 'validation' }), ["subset 'validation' needs the generator's validationSplit"], 'subset without a split');
  throwsWith(() => new dg.data.ImageDataGenerator({ validationSplit: 1 }), ['ImageDataGenerator: validationSplit must be in [0, 1), got 1'], 'split of 1');
  const bmp = twoClasses('bmp');
  writeFileSync(join(bmp, 'b', 'x.bmp'), 'BM');
  throwsWith(() => gen.flowFromDirectory(bmp), [join(bmp, 'b', 'x.bmp'), 'only PNG and JPEG'], 'a BMP is refused by name, not skipped');
});

test("subset splits each class folder as Keras: the first validationSplit of its files validate", () => {
  const gen = new dg.data.ImageDataGenerator({ validationSplit: 0.5 });
  const val = flow({ subset: 'validation' }, gen), train = flow({ subset: 'training' }, gen);
  // int(0.5 * 3) = 1 of cats and dogs, int(0.5 * 2) = 1 of owls.
  assert.equal(val.filenames, ['cats/c0.png', 'dogs/d0.png', 'owls/o0.png']);
  assert.equal([...train.filenames, ...val.filenames].sort(), [...FILES].sort());
  assert.equal([...val.classes], [0, 1, 2]);
});

test('fit trains on the batches (categorical, softmax output): the loss falls', async () => {
  dg.manualSeed(0);
  const it = flow({ seed: 0 }, new dg.data.ImageDataGenerator({ rescale: 1 / 255 }));
  const model = new dg.nn.Sequential(new dg.nn.Flatten(), new dg.nn.Linear(3 * 4 * 6, 3), new dg.nn.Softmax(-1));
  model.compile({ optimizer: new dg.optim.Adam(model.parameters(), { lr: 0.05 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const history = await model.fit(it, { epochs: 10, verbose: 0 });
  const loss = history.history.loss!;
  assert.is(loss.length, 10);
  assert.ok(loss.at(-1)! < 0.5 * loss[0]!, `loss ${loss[0]} -> ${loss.at(-1)}`);
  assert.is(history.history.accuracy!.at(-1), 1, 'blue names the class: all 8 learnt');
});

test('classMode null with shuffle off feeds predict, one output row per file in filenames order', async () => {
  const it = flow({ classMode: null, shuffle: false });
  const out = await new dg.nn.Sequential(new dg.nn.Flatten()).predict(it);
  assert.equal(out.shape, [8, 3 * 4 * 6]);
  const values = await out.data();
  assertClose(FILES.map((_, k) => values[k * 72]!), FILES.map((_, k) => red(k)), { atol: 3, rtol: 0 }, 'each row is its file (JPEG within 3 levels)');
});

test.after(() => rmSync(root, { recursive: true, force: true }));

test.run();
