// Whole models in one safetensors file: dg.save / dg.load / dg.loadStateDict. The weights are
// ordinary tensors under their PyTorch state-dict keys, so `safetensors.torch.load_file` reads
// them into a torch model; the architecture (the module tree's layer types and constructor
// options, from nn's layer registry) rides along as JSON in the header's __metadata__.
//
// Every module can be saved: one whose tree cannot be rebuilt (a class not registered with
// nn.registerLayer) gets its weights written without the architecture, because losing a trained
// model at the last line of a long script is worse than having to rebuild it by code.
import { getBackend } from '../core/engine.js';
import { withElementBudget } from '../core/ops/creation.js';
import type { Tensor } from '../core/tensor.js';
import type { DType } from '../backend/backend.js';
import { type AnyModule, buildLayer, type LayerSpec, Module, UnregisteredLayerError } from '../nn/module.js';
import { checkSignature, inputSignature, type InputSignature, setInputSignature } from '../nn/signature.js';
import { writeFileAtomic } from './atomicWrite.js';
import { nestingDepth } from './header.js';
import { readSafetensorsInput, type SafetensorsInput } from './input.js';
import type { EncodeOptions, Safetensors } from './safetensors.js';
import { encodeTensors, toTensors } from './tensorFile.js';

/** The __metadata__ key holding the architecture JSON. */
export const ARCHITECTURE_KEY = 'dawngrad.architecture';
/** The __metadata__ key holding the input signature JSON ({ dtype, shape } with -1 for the batch). */
export const INPUT_KEY = 'dawngrad.input';

export interface SaveOptions extends EncodeOptions {
  /** One example's shape (no batch dimension, as Keras' input_shape; -1 for a free size). Default: what fit trained on, if it did. */
  inputShape?: readonly number[];
  /** The input's dtype with inputShape (default 'float32'). */
  inputDtype?: DType;
}

function signatureToSave(model: AnyModule, options: SaveOptions): InputSignature | undefined {
  if (options.inputShape === undefined) {
    if (options.inputDtype !== undefined) throw new Error('save: inputDtype needs inputShape');
    return inputSignature(model);
  }
  if (!Array.isArray(options.inputShape)) throw new Error(`save: inputShape must be an array of sizes (one example, no batch dimension), got ${String(options.inputShape)}`);
  return checkSignature('save', { dtype: options.inputDtype ?? 'float32', shape: [-1, ...options.inputShape] });
}

/** The __metadata__ key naming the unregistered class of a weights-only file. */
export const UNREGISTERED_KEY = 'dawngrad.unregistered';

/**
 * The __metadata__ key of a training checkpoint's state (dg.train); its tensors (optimizer
 * state and the like) are named with TRAINING_PREFIX, and the model loaders here skip them.
 */
export const TRAINING_KEY = 'dawngrad.training';
export const TRAINING_PREFIX = '__training__/';

// A long run checkpoints the same model again and again: one warning per class is enough.
const warnedWeightsOnly = new WeakSet<Function>();

/**
 * The metadata that lets dg.load rebuild the model: its architecture, or, for a tree with a
 * class nn.registerLayer has not seen, that class's name (and a warning, once per class and process).
 */
export function modelMetadata(model: AnyModule, signature = inputSignature(model)): Record<string, string> {
  const input: Record<string, string> = signature ? { [INPUT_KEY]: JSON.stringify(signature) } : {};
  try {
    return { format: 'pt', [ARCHITECTURE_KEY]: JSON.stringify(model.spec()), ...input };
  } catch (e) {
    if (!(e instanceof UnregisteredLayerError)) throw e;
    if (!warnedWeightsOnly.has(e.layerClass)) {
      warnedWeightsOnly.add(e.layerClass);
      console.warn(`dawngrad: save: ${e.layer} is not registered with nn.registerLayer, so its files hold the weights only: ` +
        `dg.load cannot rebuild the model from them; build it and call dg.loadStateDict(model, path), or register ${e.layer} ` +
        '(nn.registerLayer(name, class, (config) => instance), with a config() method) to save the architecture too. ' +
        '(Said once per class.)');
    }
    return { format: 'pt', [UNREGISTERED_KEY]: e.layer, ...input };
  }
}

/**
 * Writes the model's weights and, when its module tree can be rebuilt, its architecture,
 * atomically; with no path, returns the file's bytes instead (a page's download, an upload, a
 * test). `format: 'pt'` is the tag PyTorch's own safetensors files carry, which some of its
 * loaders (e.g. transformers) check. `floatDtype: 'F16' | 'BF16'` writes the float weights at
 * half size (loaded back as float32).
 */
export async function save(model: AnyModule, path: string, options?: SaveOptions): Promise<void>;
export async function save(model: AnyModule, path?: undefined, options?: SaveOptions): Promise<Uint8Array>;
export async function save(model: AnyModule, path?: string, options?: SaveOptions): Promise<void | Uint8Array>;
export async function save(model: AnyModule, path?: string, options: SaveOptions = {}): Promise<void | Uint8Array> {
  if (!(model instanceof Module)) throw new Error(`save: expected an nn.Module to save, got ${model === null ? 'null' : typeof model}`);
  if (path !== undefined && (typeof path !== 'string' || path === '')) throw new Error(`save: path must be a non-empty string (or left out for the bytes), got ${typeof path}`);
  const { inputShape: _shape, inputDtype: _dtype, ...encode } = options;
  const bytes = await encodeTensors(model.stateDict(), { metadata: modelMetadata(model, signatureToSave(model, options)), ...encode });
  if (path === undefined) return bytes;
  await writeFileAtomic(path, bytes);
}

const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max)}... (${text.length} characters)`);

/** Deeper than any real model (a Sequential of Sequentials nests 3 levels per layer); building recurses per level. */
export const MAX_ARCHITECTURE_NESTING = 256;
/** More layers than any real model; a larger count is a hostile or corrupt file. */
export const MAX_ARCHITECTURE_LAYERS = 100_000;

/** The number of layer specs in the tree, stopping past the limit. */
function countLayers(spec: unknown, limit: number): number {
  let n = 0;
  const stack: unknown[] = [spec];
  while (stack.length && n <= limit) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (!Array.isArray(v) && typeof (v as { type?: unknown }).type === 'string') n++;
    stack.push(...Object.values(v));
  }
  return n;
}

function parseSpec(text: string, path: string): LayerSpec {
  if (nestingDepth(text, MAX_ARCHITECTURE_NESTING) > MAX_ARCHITECTURE_NESTING) {
    throw new Error(`load: the architecture in '${path}' is nested more than ${MAX_ARCHITECTURE_NESTING} levels deep`);
  }
  let spec: unknown;
  try {
    spec = JSON.parse(text);
  } catch (e) {
    throw new Error(`load: the architecture in '${path}' is not valid JSON (${cut((e as Error).message, 200)})`);
  }
  const s = spec as Partial<LayerSpec> | null;
  if (typeof s !== 'object' || s === null || typeof s.type !== 'string' || typeof s.config !== 'object' || s.config === null) {
    throw new Error(`load: the architecture in '${path}' should be { type, config }, got ${cut(text, 120)}`);
  }
  const layers = countLayers(s, MAX_ARCHITECTURE_LAYERS);
  if (layers > MAX_ARCHITECTURE_LAYERS) throw new Error(`load: the architecture in '${path}' has more than ${MAX_ARCHITECTURE_LAYERS} layers`);
  return s as LayerSpec;
}

function parseSignature(text: string, path: string): InputSignature {
  try {
    return checkSignature('load', JSON.parse(text));
  } catch (e) {
    throw new Error(`load: the input signature in '${path}' is invalid: ${(e as Error).message}`);
  }
}

/** Rebuilds the model saved by `save` (on the active backend) and loads its weights. */
export async function load(input: SafetensorsInput): Promise<AnyModule> {
  const { file, name: path } = await readSafetensorsInput('load', input);
  const arch = file.metadata[ARCHITECTURE_KEY];
  if (arch === undefined) {
    const unregistered = file.metadata[UNREGISTERED_KEY];
    const why = unregistered === undefined
      ? `no '${ARCHITECTURE_KEY}' in its __metadata__`
      : `it was saved from ${unregistered.slice(0, 100)}, a class not registered with nn.registerLayer`;
    throw new Error(`load: '${path}' holds weights but no architecture (${why}); build the model and call dg.loadStateDict(model, path)`);
  }
  const spec = parseSpec(arch, path);
  const savedSignature = file.metadata[INPUT_KEY];
  // Parsed before the model is built, so a bad signature leaks no weights.
  const signature = savedSignature === undefined ? undefined : parseSignature(savedSignature, path);
  // The layers may allocate what the file holds (and a little: scalars, temporaries), so an
  // architecture claiming far more than its weights is refused before it is built.
  const held = [...file.tensors.values()].reduce((n, t) => n + t.data.length, 0);
  const refuse = (need: number) => new Error(`the architecture builds a tensor of ${need} elements, more than the ${held} values of weights the file holds`);
  let model: AnyModule;
  try {
    model = withElementBudget(2 * held + 65536, refuse, () => buildLayer(spec));
  } catch (e) {
    throw new Error(`load: cannot rebuild the architecture in '${path}': ${cut((e as Error).message, 300)}`);
  }
  try {
    await copyIn('load', model, file, path, { strict: true });
  } catch (e) {
    for (const t of Object.values(model.stateDict())) t.dispose();
    throw e;
  }
  if (signature !== undefined) setInputSignature(model, signature);
  return model;
}

/**
 * Copies a file's tensors into the model's parameters and buffers in place (optimizers
 * holding them stay valid). strict (default true): keys must match both ways, as in PyTorch.
 */
export async function loadStateDict(model: AnyModule, input: SafetensorsInput, options: { strict?: boolean } = {}): Promise<{ missingKeys: string[]; unexpectedKeys: string[] }> {
  if (!(model instanceof Module)) throw new Error(`loadStateDict: expected an nn.Module to load into, got ${model === null ? 'null' : typeof model}`);
  const { file, name } = await readSafetensorsInput('loadStateDict', input);
  return copyIn('loadStateDict', model, file, name, options);
}

/** The file without a training checkpoint's own tensors: those are not the model's. */
function modelPart(file: Safetensors): Safetensors {
  if (file.metadata[TRAINING_KEY] === undefined) return file;
  return { metadata: file.metadata, tensors: new Map([...file.tensors].filter(([name]) => !name.startsWith(TRAINING_PREFIX))) };
}

async function copyIn(op: string, model: AnyModule, file: Safetensors, path: string, options: { strict?: boolean }): Promise<{ missingKeys: string[]; unexpectedKeys: string[] }> {
  // The file's tensors go where the model lives, so the copy is one device-side write each.
  const first: Tensor | undefined = Object.values(model.stateDict())[0];
  const tensors = await toTensors(modelPart(file), (first?.backend ?? getBackend()).name);
  try {
    return model.loadStateDict(tensors, options);
  } catch (e) {
    throw new Error(`${op}: ${cut((e as Error).message.replace(/^loadStateDict: /, ''), 400)} (loading '${path}')`);
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}
