// A model's input signature: the dtype and shape (-1 for the batch and any free dimension) of
// the tensor its forward takes. Nothing in a layer tree says how tall an image a Conv2d expects,
// so the signature is remembered where it is known: fit records the batches it trained on,
// dg.save({ inputShape }) states it, and the saved file carries it for dg.load (and dawngrad
// serve, which validates requests against it). A WeakMap keeps it off Module's fields, which
// are walked for parameters.
import type { DType } from '../backend/backend.js';
import { fmt } from '../core/shape.js';
import { type AnyModule, Module } from './module.js';

export interface InputSignature {
  dtype: DType;
  /** The full shape, batch first; -1 where any size is allowed. */
  shape: number[];
}

const signatures = new WeakMap<AnyModule, InputSignature>();

function checkModule(op: string, model: unknown): void {
  if (!(model instanceof Module)) throw new Error(`${op}: expected an nn.Module, got ${model === null ? 'null' : typeof model}`);
}

export function inputSignature(model: AnyModule): InputSignature | undefined {
  checkModule('inputSignature', model);
  return signatures.get(model);
}

export function setInputSignature(model: AnyModule, signature: InputSignature): void {
  checkModule('setInputSignature', model);
  signatures.set(model, checkSignature('setInputSignature', signature));
}

/** Records what a batch looks like (fit calls it): its dtype and shape with the batch left free. */
export function recordInput(model: AnyModule, x: { dtype: DType; shape: readonly number[] }): void {
  const known = signatures.get(model);
  if (known && known.dtype === x.dtype && known.shape.length === x.shape.length && known.shape.every((d, i) => i === 0 || d === x.shape[i])) return;
  signatures.set(model, { dtype: x.dtype, shape: [-1, ...x.shape.slice(1)] });
}

/** Throws (naming `op`) unless the value is { dtype: 'float32' | 'int32', shape: [-1, ...] }. */
export function checkSignature(op: string, value: unknown): InputSignature {
  const s = value as Partial<InputSignature> | null;
  const dtypeOk = s !== null && typeof s === 'object' && (s.dtype === 'float32' || s.dtype === 'int32');
  const shapeOk = dtypeOk && Array.isArray(s.shape) && s.shape.length > 0 && s.shape.length <= 16 &&
    s.shape.every((d) => d === -1 || (Number.isInteger(d) && d > 0)) && s.shape[0] === -1;
  if (!shapeOk) {
    const shown = s !== null && typeof s === 'object' && Array.isArray(s.shape) ? fmt(s.shape as number[]) : JSON.stringify(value)?.slice(0, 120);
    throw new Error(`${op}: an input signature is { dtype: 'float32' | 'int32', shape: [-1, ...] } with positive sizes or -1 (at most 16 dims), got dtype ${String(s?.dtype)} and shape ${shown}`);
  }
  return { dtype: s.dtype!, shape: [...s.shape!] };
}
