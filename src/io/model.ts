// Whole models in one safetensors file: dg.save / dg.load / dg.loadStateDict. The weights are
// ordinary tensors under their PyTorch state-dict keys, so `safetensors.torch.load_file` reads
// them into a torch model; the architecture (the module tree's layer types and constructor
// options, from nn's layer registry) rides along as JSON in the header's __metadata__.
//
// Every module can be saved: one whose tree cannot be rebuilt (a class not registered with
// nn.registerLayer) gets its weights written without the architecture, because losing a trained
// model at the last line of a long script is worse than having to rebuild it by code.
import { getBackend } from '../core/engine.js';
import type { Tensor } from '../core/tensor.js';
import { type AnyModule, buildLayer, type LayerSpec, UnregisteredLayerError } from '../nn/module.js';
import { writeFileAtomic } from './atomicWrite.js';
import { readSafetensorsInput, type SafetensorsInput } from './input.js';
import type { EncodeOptions, Safetensors } from './safetensors.js';
import { encodeTensors, toTensors } from './tensorFile.js';

/** The __metadata__ key holding the architecture JSON. */
export const ARCHITECTURE_KEY = 'dawngrad.architecture';

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
export function modelMetadata(model: AnyModule): Record<string, string> {
  try {
    return { format: 'pt', [ARCHITECTURE_KEY]: JSON.stringify(model.spec()) };
  } catch (e) {
    if (!(e instanceof UnregisteredLayerError)) throw e;
    if (!warnedWeightsOnly.has(e.layerClass)) {
      warnedWeightsOnly.add(e.layerClass);
      console.warn(`dawngrad: save: ${e.layer} is not registered with nn.registerLayer, so its files hold the weights only: ` +
        `dg.load cannot rebuild the model from them; build it and call dg.loadStateDict(model, path), or register ${e.layer} ` +
        '(nn.registerLayer(name, class, (config) => instance), with a config() method) to save the architecture too. ' +
        '(Said once per class.)');
    }
    return { format: 'pt', [UNREGISTERED_KEY]: e.layer };
  }
}

/**
 * Writes the model's weights and, when its module tree can be rebuilt, its architecture,
 * atomically; with no path, returns the file's bytes instead (a page's download, an upload, a
 * test). `format: 'pt'` is the tag PyTorch's own safetensors files carry, which some of its
 * loaders (e.g. transformers) check. `floatDtype: 'F16' | 'BF16'` writes the float weights at
 * half size (loaded back as float32).
 */
export async function save(model: AnyModule, path: string, options?: EncodeOptions): Promise<void>;
export async function save(model: AnyModule, path?: undefined, options?: EncodeOptions): Promise<Uint8Array>;
export async function save(model: AnyModule, path?: string, options?: EncodeOptions): Promise<void | Uint8Array>;
export async function save(model: AnyModule, path?: string, options: EncodeOptions = {}): Promise<void | Uint8Array> {
  const bytes = await encodeTensors(model.stateDict(), { metadata: modelMetadata(model), ...options });
  if (path === undefined) return bytes;
  await writeFileAtomic(path, bytes);
}

function parseSpec(text: string, path: string): LayerSpec {
  let spec: unknown;
  try {
    spec = JSON.parse(text);
  } catch (e) {
    throw new Error(`load: the architecture in '${path}' is not valid JSON (${(e as Error).message})`);
  }
  const s = spec as Partial<LayerSpec> | null;
  if (typeof s !== 'object' || s === null || typeof s.type !== 'string' || typeof s.config !== 'object' || s.config === null) {
    throw new Error(`load: the architecture in '${path}' should be { type, config }, got ${text.slice(0, 200)}`);
  }
  return s as LayerSpec;
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
  const model = buildLayer(parseSpec(arch, path));
  await copyIn(model, file, path, { strict: true });
  return model;
}

/**
 * Copies a file's tensors into the model's parameters and buffers in place (optimizers
 * holding them stay valid). strict (default true): keys must match both ways, as in PyTorch.
 */
export async function loadStateDict(model: AnyModule, input: SafetensorsInput, options: { strict?: boolean } = {}): Promise<{ missingKeys: string[]; unexpectedKeys: string[] }> {
  const { file, name } = await readSafetensorsInput('loadStateDict', input);
  return copyIn(model, file, name, options);
}

/** The file without a training checkpoint's own tensors: those are not the model's. */
function modelPart(file: Safetensors): Safetensors {
  if (file.metadata[TRAINING_KEY] === undefined) return file;
  return { metadata: file.metadata, tensors: new Map([...file.tensors].filter(([name]) => !name.startsWith(TRAINING_PREFIX))) };
}

async function copyIn(model: AnyModule, file: Safetensors, path: string, options: { strict?: boolean }): Promise<{ missingKeys: string[]; unexpectedKeys: string[] }> {
  // The file's tensors go where the model lives, so the copy is one device-side write each.
  const first: Tensor | undefined = Object.values(model.stateDict())[0];
  const tensors = await toTensors(modelPart(file), (first?.backend ?? getBackend()).name);
  try {
    return model.loadStateDict(tensors, options);
  } catch (e) {
    throw new Error(`${(e as Error).message} (loading '${path}')`);
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}
