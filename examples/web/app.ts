// The demo page: classify a drawn digit with a model trained in Node, and train one here.
// Query parameters (for the tests, and for trying things): ?model=URL picks the model to
// draw with, ?steps=N the number of training steps. window.demo exposes the page's state.
import * as dg from 'dawngrad';
import { drawBars, drawCurve } from './charts.js';
import { decodeDigits, type Digits } from './digitsFile.js';
import { Pad } from './pad.js';
import { SIDE, toMnist } from './preprocess.js';
import { train, TRAIN_DEFAULTS } from './training.js';

type Model = Awaited<ReturnType<typeof dg.load>>;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const state = {
  ready: false,
  predicted: null as number | null,
  probabilities: null as number[] | null,
  losses: [] as number[],
  accuracies: [] as number[],
  training: 'idle' as 'idle' | 'running' | 'done' | 'stopped' | 'failed',
};
(window as unknown as { demo: typeof state }).demo = state;

async function describeAdapter(): Promise<string> {
  if (dg.backend() !== 'webgpu') return 'no WebGPU here: running on the cpu backend';
  const info = (await navigator.gpu.requestAdapter())?.info;
  return `WebGPU adapter: ${info ? [info.vendor, info.architecture, info.description].filter(Boolean).join(' / ') : 'unknown'}`;
}

/** runs/mnist/model.safetensors (from `npm run mnist`) when the server has one, else the shipped model. */
async function modelUrl(): Promise<string> {
  const asked = params.get('model');
  if (asked) return asked;
  const trained = 'runs/mnist/model.safetensors';
  return (await fetch(trained, { method: 'HEAD' })).ok ? trained : 'model.safetensors';
}

let model: Model;
let dirty = false;
let predicting = false;

/** One prediction at a time; strokes that arrive meanwhile are folded into the next one. */
async function predict(pad: Pad): Promise<void> {
  dirty = true;
  if (predicting || !state.ready) return;
  predicting = true;
  try {
    while (dirty) {
      dirty = false;
      const input = toMnist(pad.ink(), pad.canvas.width, pad.canvas.height);
      if (!input) {
        state.predicted = null;
        state.probabilities = null;
        $('predicted').textContent = '–';
        drawBars($('bars'), null);
        continue;
      }
      const t0 = performance.now();
      const x = dg.tensor(input, [1, 1, SIDE, SIDE]);
      // tidy frees the layers' intermediate outputs; only the probabilities survive.
      const probs = dg.tidy(() => dg.noGrad(() => (model.call(x) as dg.Tensor).softmax(-1)));
      const p = Array.from(await probs.data());
      x.dispose();
      probs.dispose();
      state.probabilities = p;
      state.predicted = p.indexOf(Math.max(...p));
      $('predicted').textContent = String(state.predicted);
      $('predict-ms').textContent = `(${(performance.now() - t0).toFixed(1)} ms)`;
      drawBars($('bars'), p);
    }
  } finally {
    predicting = false;
  }
}

async function loadModel(source: string | Uint8Array, name: string, pad: Pad): Promise<void> {
  const next = await dg.load(source);
  next.eval();
  model = next;
  $('model-name').textContent = `model: ${name}`;
  await predict(pad);
}

function setupTraining(digits: Digits, pad: Pad): void {
  const perEpoch = Math.floor(digits.count / TRAIN_DEFAULTS.batchSize);
  const steps = Number(params.get('steps') ?? 5 * perEpoch);
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`demo: ?steps= must be a positive integer, got '${params.get('steps')}'`);
  let stop = false;
  let trained: Uint8Array | null = null;
  $('digit-count').textContent = String(digits.count);
  $('start').onclick = async () => {
    stop = false;
    state.losses = [];
    state.accuracies = [];
    state.training = 'running';
    for (const [id, off] of [['start', true], ['stop', false], ['download', true], ['use', true]] as const) $<HTMLButtonElement>(id).disabled = off;
    try {
      const { model: m } = await train(dg, digits, {
        ...TRAIN_DEFAULTS, steps,
        shouldStop: () => stop,
        onStep: ({ step, loss, accuracy, ms }) => {
          state.losses.push(loss);
          state.accuracies.push(accuracy);
          $<HTMLProgressElement>('progress').value = (step + 1) / steps;
          $('train-status').textContent = `step ${step + 1}/${steps} (epoch ${Math.floor(step / perEpoch) + 1}) - loss ${loss.toFixed(4)} - batch accuracy ${(100 * accuracy).toFixed(1)}% - ${ms.toFixed(1)} ms/step`;
          drawCurve($('curve'), state.losses, state.accuracies, steps);
        },
      });
      trained = await dg.save(m);
      for (const t of m.parameters()) t.dispose();
      state.training = stop ? 'stopped' : 'done';
      $('train-status').textContent += stop ? ' - stopped' : ' - done';
    } catch (e) {
      state.training = 'failed';
      $('train-status').textContent = `failed: ${(e as Error).message}`;
    }
    for (const [id, off] of [['start', false], ['stop', true], ['download', !trained], ['use', !trained]] as const) $<HTMLButtonElement>(id).disabled = off;
  };
  $('stop').onclick = () => { stop = true; };
  $('download').onclick = () => {
    if (!trained) return;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([trained.slice()], { type: 'application/octet-stream' }));
    a.download = 'model.safetensors';
    a.click();
    URL.revokeObjectURL(a.href);
  };
  $('use').onclick = () => { if (trained) void loadModel(trained, 'trained on this page', pad); };
}

async function main(): Promise<void> {
  await dg.init();
  const pad = new Pad($('pad'), () => void predict(pad));
  $('clear').onclick = () => pad.clear();
  drawBars($('bars'), null);
  drawCurve($('curve'), [], [], 1);
  const [adapter, url, digitBytes] = await Promise.all([
    describeAdapter(), modelUrl(), fetch('digits.bin').then(async (r) => new Uint8Array(await r.arrayBuffer())),
  ]);
  $('adapter').textContent = `${adapter} (backend: ${dg.backend()})`;
  await loadModel(url, url, pad);
  setupTraining(decodeDigits(digitBytes, 'digits.bin'), pad);
  state.ready = true;
  await predict(pad);
}

main().catch((e: Error) => {
  $('adapter').textContent = `failed to start: ${e.message}`;
  throw e;
});
