// One TensorFlow.js column (`--column tfjs-webgpu`, `tfjs-wasm` or `tfjs-cpu`) in its own process.
// tfjs-webgpu runs on the same Dawn adapter as dawngrad: `navigator.gpu` is Dawn's, from the
// `webgpu` package, exactly as dawngrad acquires it.
import { createRequire } from 'node:module';
import { create, globals } from 'webgpu';
import type { Lib } from './column.js';
import { runColumn } from './column.js';
import type { TfTensor } from './api.js';
import { type AdapterInfo, adapterInfo, parseRunnerArgs, writeColumn } from './runner-args.js';

const args = parseRunnerArgs(process.argv.slice(2));
const backend = args.column.replace(/^tfjs-/, '');
let adapter: AdapterInfo | undefined;
if (backend === 'webgpu') {
  Object.assign(globalThis, globals);
  const gpu = create([]) as GPU;
  // tfjs-backend-webgpu looks for navigator.gpu, as in a browser.
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  const a = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (a) adapter = adapterInfo(a.info);
}
const tf = await import('@tensorflow/tfjs-core');
// The umbrella @tensorflow/tfjs package registers the gradients; with tfjs-core alone it is
// explicit. That module exists only as bundler-style ESM (extensionless imports), which Node's
// ESM loader rejects, so it is required through tsx's CommonJS hook instead; it registers into
// tfjs's process-global registry, so the engine loaded above sees the gradients.
createRequire(import.meta.url)('@tensorflow/tfjs-core/dist/register_all_gradients');
if (backend === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
else if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
else await import('@tensorflow/tfjs-backend-cpu');
if (!(await tf.setBackend(backend))) throw new Error(`tfjs: backend '${backend}' failed to initialise`);
await tf.ready();

const lib: Lib<TfTensor> = {
  instance: (w) => w.tfjs(tf),
  tidy: (fn) => tf.tidy(fn),
  hostOnly: backend !== 'webgpu',
  first: (t) => tf.slice(tf.reshape(t, [-1]), 0, 1),
  async read(t) {
    await t.data();
    t.dispose();
  },
};

const rows = await runColumn(lib, args.workloads, args, (line) => console.log(`[${args.column}] ${line}`));
writeColumn(args, rows, adapter);
