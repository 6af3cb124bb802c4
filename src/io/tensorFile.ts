// safetensors files of dawngrad tensors: dg.io.saveSafetensors / dg.io.loadSafetensors.
import { CpuBackend } from '../backend/cpu/index.js';
import { type BackendName, backendNamed, getBackend } from '../core/engine.js';
import { tensor } from '../core/ops/creation.js';
import type { Tensor } from '../core/tensor.js';
import { type EncodeOptions, encodeSafetensors, type HostTensor, readSafetensorsFile, type Safetensors, type WritableTensor, writeSafetensorsFile } from './safetensors.js';

export type NamedTensors = Record<string, Tensor> | Map<string, Tensor>;

/** Reads every tensor back from its device (the one wait), keeping the given order. */
export async function toHost(tensors: NamedTensors): Promise<Map<string, HostTensor>> {
  const out = new Map<string, HostTensor>();
  for (const [name, t] of tensors instanceof Map ? tensors : Object.entries(tensors)) {
    out.set(name, { shape: t.shape, data: await t.data() });
  }
  return out;
}

/**
 * Reads tensors back at their device's own precision: the cpu backend's float64 (written as
 * F64) or the GPU's float32, so writing and reading them back changes no bit (exact resume).
 */
export async function toHostExact(tensors: NamedTensors): Promise<Map<string, WritableTensor>> {
  const out = new Map<string, WritableTensor>();
  for (const [name, t] of tensors instanceof Map ? tensors : Object.entries(tensors)) {
    const exact = t.backend instanceof CpuBackend && t.dtype === 'float32';
    out.set(name, { shape: t.shape, data: exact ? (t.backend as CpuBackend).readExact(t.handle) : await t.data() });
  }
  return out;
}

/** Writes tensors (float32 as F32, or F16/BF16 with `floatDtype`; int32 as I32) and optional
 *  string metadata, atomically. */
export async function saveSafetensors(path: string, tensors: NamedTensors, options: { metadata?: Record<string, string> } & EncodeOptions = {}): Promise<void> {
  await writeSafetensorsFile(path, await toHost(tensors), options.metadata, { floatDtype: options.floatDtype });
}

/** The safetensors file of these tensors, as bytes. */
export async function encodeTensors(tensors: NamedTensors, options: { metadata?: Record<string, string> } & EncodeOptions = {}): Promise<Uint8Array> {
  return encodeSafetensors(await toHost(tensors), options.metadata, { floatDtype: options.floatDtype });
}

/** Tensors by name, in file order, on the given backend (default: the active one). */
export async function loadSafetensors(path: string, options: { backend?: BackendName } = {}): Promise<{ tensors: Map<string, Tensor>; metadata: Record<string, string> }> {
  const file = await readSafetensorsFile(path, {}, 'loadSafetensors');
  return { tensors: await toTensors(file, options.backend), metadata: file.metadata };
}

/** Uploads a decoded file's tensors to the named backend (default: the active one). */
export async function toTensors(file: Safetensors, backendName?: BackendName): Promise<Map<string, Tensor>> {
  if (file === null || typeof file !== 'object' || !(file.tensors instanceof Map)) throw new Error('toTensors: expected a decoded file { tensors, metadata } (from decodeSafetensors or readSafetensorsFile)');
  const backend = backendName ? await backendNamed(backendName, 'toTensors') : getBackend();
  const tensors = new Map<string, Tensor>();
  for (const [name, t] of file.tensors) tensors.set(name, tensor(t.data, t.shape, { dtype: t.dtype, backend }));
  return tensors;
}
