// Tensor: a shape, a dtype, reference-counted backend storage, and (when it needs a gradient)
// the autograd node that made it. Every operation lives in ./ops; methods here forward to them.
import type { Backend, DType, Handle, TypedArray } from '../backend/backend.js';
import { counters, getBackend, isGradEnabled, keep, trackInScope, type Tracked } from './engine.js';
import * as ops from './ops/index.js';
import { fmt } from './shape.js';

/** Storage shared by a tensor and its reshapes; freed when the last holder lets go. */
export class Storage {
  refs = 1;
  constructor(readonly backend: Backend, readonly handle: Handle) {
    counters.bytes += handle.size * 4;
  }
  retain(): this {
    this.refs++;
    return this;
  }
  releaseRef(): void {
    if (--this.refs === 0) {
      counters.bytes -= this.handle.size * 4;
      this.backend.release(this.handle);
    }
  }
}

/** How a tensor was made: its inputs and the local backward rule (micrograd's _backward). */
export interface GradNode {
  op: string;
  inputs: Tensor[];
  /** Given dL/d(this output), returns dL/d(each input), null where an input needs none. */
  backward: (grad: Tensor) => (Tensor | null)[];
  /** Intermediates the rule reads (ctx.save_for_backward): owned by the node, freed with it. */
  saved: Tensor[];
}

// Safety net: a tensor the program forgot to dispose returns its storage when collected.
const finalizer = new FinalizationRegistry<Storage>((storage) => {
  counters.tensors--;
  storage.releaseRef();
});

export type NestedArray = number | NestedArray[];

export class Tensor implements Tracked {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly size: number;
  requiresGrad: boolean;
  grad: Tensor | null = null;
  /** Null for leaves and once backward() has released the graph. */
  node: GradNode | null = null;
  /** Set when a non-leaf loses its node (backward() released it, or it was disposed), so a later
   *  backward() through it is an error instead of silently treating it as a leaf. */
  lostNode: { op: string; by: 'backward' | 'dispose' } | null = null;
  private _storage: Storage | null;

  constructor(storage: Storage, shape: readonly number[], dtype: DType, requiresGrad = false) {
    this._storage = storage;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.size = shape.reduce((a, b) => a * b, 1);
    this.requiresGrad = requiresGrad;
    counters.tensors++;
    finalizer.register(this, storage, this);
    trackInScope(this);
  }

  /** Wraps a fresh backend handle. */
  static fromHandle(handle: Handle, shape: readonly number[], backend: Backend = getBackend()): Tensor {
    return new Tensor(new Storage(backend, handle), shape, handle.dtype);
  }

  get storage(): Storage {
    if (!this._storage) throw new Error(`tensor of shape ${fmt(this.shape)} was used after dispose()`);
    return this._storage;
  }
  get handle(): Handle { return this.storage.handle; }
  get backend(): Backend { return this.storage.backend; }
  get isDisposed(): boolean { return this._storage === null; }
  get rank(): number { return this.shape.length; }

  /** A new tensor object over the same storage (reshape uses this; no copy). */
  alias(shape: readonly number[] = this.shape): Tensor {
    return new Tensor(this.storage.retain(), shape, this.dtype);
  }

  dispose(): void {
    if (!this._storage) return;
    finalizer.unregister(this);
    counters.tensors--;
    const s = this._storage;
    this._storage = null;
    releaseNode(this, 'dispose');
    s.releaseRef();
  }

  // ---- reading back: the only calls that wait for the GPU ------------------------------------

  async data(): Promise<TypedArray> {
    if (!this._storage) throw new Error(`data: the tensor of shape ${fmt(this.shape)} was used after dispose()`);
    return this.backend.read(this.handle);
  }

  async array(): Promise<NestedArray> {
    const flat = await this.data();
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return flat[offset]!;
      const stride = this.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: this.shape[dim]! }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  async item(): Promise<number> {
    if (this.size !== 1) throw new Error(`item: expected a tensor with one element, got shape ${fmt(this.shape)}`);
    if (!this._storage) throw new Error(`item: the tensor of shape ${fmt(this.shape)} was used after dispose()`);
    return (await this.data())[0]!;
  }

  toString(): string {
    return `Tensor(shape=${fmt(this.shape)}, dtype=${this.dtype}, backend=${this._storage ? this.backend.name : 'disposed'}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }

  // ---- autograd ------------------------------------------------------------------------------

  backward(grad?: Tensor): void {
    ops.backward(this, grad);
  }

  /** Same storage, cut from the graph. */
  detach(): Tensor {
    return this.alias();
  }

  /** Marks this leaf as needing a gradient; returns this. */
  requiresGrad_(value = true): this {
    if (value && this.dtype !== 'float32') throw new Error(`requiresGrad: only float32 tensors can require gradients, got ${this.dtype}`);
    this.requiresGrad = value;
    return this;
  }

  // ---- elementwise ---------------------------------------------------------------------------
  add(other: Tensor | number): Tensor { return ops.add(this, other); }
  sub(other: Tensor | number): Tensor { return ops.sub(this, other); }
  mul(other: Tensor | number): Tensor { return ops.mul(this, other); }
  div(other: Tensor | number): Tensor { return ops.div(this, other); }
  pow(other: Tensor | number): Tensor { return ops.pow(this, other); }
  maximum(other: Tensor | number): Tensor { return ops.maximum(this, other); }
  minimum(other: Tensor | number): Tensor { return ops.minimum(this, other); }
  eq(other: Tensor | number): Tensor { return ops.eq(this, other); }
  ne(other: Tensor | number): Tensor { return ops.ne(this, other); }
  lt(other: Tensor | number): Tensor { return ops.lt(this, other); }
  le(other: Tensor | number): Tensor { return ops.le(this, other); }
  gt(other: Tensor | number): Tensor { return ops.gt(this, other); }
  ge(other: Tensor | number): Tensor { return ops.ge(this, other); }
  neg(): Tensor { return ops.neg(this); }
  exp(): Tensor { return ops.exp(this); }
  log(): Tensor { return ops.log(this); }
  sqrt(): Tensor { return ops.sqrt(this); }
  abs(): Tensor { return ops.abs(this); }
  square(): Tensor { return ops.square(this); }
  reciprocal(): Tensor { return ops.reciprocal(this); }
  sin(): Tensor { return ops.sin(this); }
  cos(): Tensor { return ops.cos(this); }
  sign(): Tensor { return ops.sign(this); }
  relu(): Tensor { return ops.relu(this); }
  sigmoid(): Tensor { return ops.sigmoid(this); }
  tanh(): Tensor { return ops.tanh(this); }
  gelu(options?: { approximate?: 'none' | 'tanh' }): Tensor { return ops.gelu(this, options); }
  leakyRelu(negativeSlope?: number): Tensor { return ops.leakyRelu(this, negativeSlope); }
  silu(): Tensor { return ops.silu(this); }
  softplus(options?: ops.SoftplusOptions): Tensor { return ops.softplus(this, options); }
  elu(alpha?: number): Tensor { return ops.elu(this, alpha); }
  hardswish(): Tensor { return ops.hardswish(this); }
  mish(): Tensor { return ops.mish(this); }
  logSigmoid(): Tensor { return ops.logSigmoid(this); }
  log1p(): Tensor { return ops.log1p(this); }
  expm1(): Tensor { return ops.expm1(this); }
  clamp(min?: number, max?: number): Tensor { return ops.clamp(this, min, max); }
  cast(dtype: DType): Tensor { return ops.cast(this, dtype); }
  float(): Tensor { return ops.cast(this, 'float32'); }
  int(): Tensor { return ops.cast(this, 'int32'); }

  // ---- reductions ----------------------------------------------------------------------------
  sum(axis?: number | number[], keepDim?: boolean): Tensor { return ops.sum(this, axis, keepDim); }
  mean(axis?: number | number[], keepDim?: boolean): Tensor { return ops.mean(this, axis, keepDim); }
  max(axis?: number | number[], keepDim?: boolean): Tensor { return ops.max(this, axis, keepDim); }
  min(axis?: number | number[], keepDim?: boolean): Tensor { return ops.min(this, axis, keepDim); }
  argmax(axis?: number, keepDim?: boolean): Tensor { return ops.argmax(this, axis, keepDim); }
  argmin(axis?: number, keepDim?: boolean): Tensor { return ops.argmin(this, axis, keepDim); }
  softmax(axis = -1): Tensor { return ops.softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return ops.logSoftmax(this, axis); }

  // ---- layout --------------------------------------------------------------------------------
  reshape(shape: readonly number[]): Tensor { return ops.reshape(this, shape); }
  view(shape: readonly number[]): Tensor { return ops.reshape(this, shape); }
  transpose(dim0 = -2, dim1 = -1): Tensor { return ops.transpose(this, dim0, dim1); }
  permute(dims: readonly number[]): Tensor { return ops.permute(this, dims); }
  flatten(startDim = 0, endDim = -1): Tensor { return ops.flatten(this, startDim, endDim); }
  unsqueeze(dim: number): Tensor { return ops.unsqueeze(this, dim); }
  squeeze(dim?: number): Tensor { return ops.squeeze(this, dim); }
  expand(shape: readonly number[]): Tensor { return ops.expand(this, shape); }
  narrow(dim: number, start: number, length: number): Tensor { return ops.narrow(this, dim, start, length); }
  clone(): Tensor { return ops.clone(this); }
  matmul(other: Tensor): Tensor { return ops.matmul(this, other); }
}

/** Drops t's node (its backward ran, or t was disposed) and frees what the node saved. */
export function releaseNode(t: Tensor, by: 'backward' | 'dispose'): void {
  const node = t.node;
  if (!node) return;
  t.node = null;
  t.lostNode = { op: node.op, by };
  for (const s of node.saved) s.dispose();
}

/**
 * Records the autograd node of an op's output when any input needs a gradient. `saved` are the
 * intermediates the op made for its backward rule (never its inputs or `out`): with a node they
 * leave every enclosing tidy scope and are freed when the node goes (after backward, or when
 * `out` is disposed; a graph never walked frees them when collected); without one, at once.
 */
export function withGrad(out: Tensor, op: string, inputs: Tensor[], backward: GradNode['backward'], saved: Tensor[] = []): Tensor {
  if (isGradEnabled() && inputs.some((t) => t.requiresGrad)) {
    for (const t of saved) keep(t);
    out.requiresGrad = true;
    out.node = { op, inputs, backward, saved };
  } else {
    for (const t of saved) t.dispose();
  }
  return out;
}
