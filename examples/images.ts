// The seeds' Keras image classifier, trained from a folder of images as they do it:
//   ImageDataGenerator(rescale=1/255, shear_range=0.2, zoom_range=0.2, horizontal_flip=True)
//     .flow_from_directory('data/train', target_size=(224, 224), batch_size=32, class_mode='categorical')
//   Conv2D(32, (3, 3), activation='relu', input_shape=(224, 224, 3)) - MaxPooling2D(2, 2) - Flatten - Dense(classes, softmax)
// DIR holds train/ and validation/ (and optionally test/), one subfolder of images per class;
// every batch is read from disk, resized and augmented on the host as it is needed.
//   npx tsx scripts/make-image-folder.ts            # MNIST digits 0, 1, 2 as RGB PNG/JPEG in data/digits
//   npm run images -- --dir data/digits --size 224 --epochs 5
// --size is the square target size (the seed's 224 by default; smaller trains much faster);
// --limit / --eval-limit cap the images per training epoch / per evaluation (whole batches).
// At 224 a batch of 32 makes a 202 MB convolution output, beyond lavapipe's 128 MiB storage
// buffer limit (the error says so): there, use --batch-size 16.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as dg from '../src/index.js';
import { exampleArgs } from './common/args.js';
import { EpochTimer, finish } from './common/run.js';

const { nn } = dg;
const args = exampleArgs('images', { epochs: 5, batchSize: 32, extra: { dir: 'data/digits', size: 224 } });
const { dir, size } = args.extra;
for (const sub of ['train', 'validation']) {
  if (!existsSync(join(dir, sub))) {
    console.error(`images: ${join(dir, sub)} does not exist; write an example folder with\n  npx tsx scripts/make-image-folder.ts --out ${dir}`);
    process.exit(2);
  }
}
await dg.init({ backend: args.backend });
dg.manualSeed(0);

const folder = { targetSize: [size, size] as [number, number], batchSize: args.batchSize, classMode: 'categorical' as const };
const augmenting = new dg.data.ImageDataGenerator({ rescale: 1 / 255, shearRange: 0.2, zoomRange: 0.2, horizontalFlip: true });
const plain = new dg.data.ImageDataGenerator({ rescale: 1 / 255 });
const train = augmenting.flowFromDirectory(join(dir, 'train'), { ...folder, seed: 0 });
// Files come in class order, so an --eval-limit sample is drawn at random (anew each pass) rather than the first class alone.
const evaluation = { ...folder, shuffle: args.evalLimit !== undefined, seed: 1 };
const validation = plain.flowFromDirectory(join(dir, 'validation'), evaluation);
const testDir = join(dir, 'test');
const test = existsSync(testDir) ? plain.flowFromDirectory(testDir, evaluation) : null;
for (const [name, it] of [['train', train], ['validation', validation], ['test', test]] as const) {
  if (it) console.log(`${name}: found ${it.samples} images belonging to ${it.numClasses} classes (${JSON.stringify(it.classIndices)})`);
}
if (validation.numClasses !== train.numClasses) throw new Error(`images: train has ${train.numClasses} classes, validation ${validation.numClasses}`);

/** The first batches of each pass, enough for `images` examples (all with undefined): Keras' steps_per_epoch. */
function upTo(it: dg.data.DirectoryIterator, images: number | undefined): dg.train.BatchSource {
  const length = images === undefined ? it.length : Math.min(it.length, Math.ceil(images / it.batchSize));
  return { length, batchSize: it.batchSize, [Symbol.iterator]: () => it[Symbol.iterator]() };
}

// Valid 3x3 convolution, then 2x2 pooling: size - 2, halved (rounded down).
const pooled = Math.floor((size - 2) / 2);
const model = new nn.Sequential(
  new nn.Conv2d(3, 32, 3), new nn.ReLU(), new nn.MaxPool2d(2),
  new nn.Flatten(), new nn.Linear(32 * pooled * pooled, train.numClasses), new nn.Softmax(-1),
);
console.log(`${model}\nimages ${size}x${size} RGB, ${upTo(train, args.limit).length} batches of ${args.batchSize} per epoch`);
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
const timer = new EpochTimer();
const history = await model.fit(upTo(train, args.limit), { epochs: args.epochs, validationData: upTo(validation, args.evalLimit), callbacks: [timer] });
const final = await model.evaluate(upTo(test ?? validation, args.evalLimit));
await finish('images', model, history, timer, final, args.out, test ? 'test' : 'validation');
