// nn.Module: the base of every layer. Parameters and child modules are found by walking the
// module's own fields in assignment order, so `this.weight = this.param(w)` and
// `this.fc = new Linear(...)` register them as in PyTorch, with PyTorch's state-dict keys
// ('fc.weight', '0.bias', 'lstm.weight_ih_l0'). Plain fields (numbers, options) are ignored.
//
// Keras-like `compile/fit/evaluate/predict` live in src/train, a higher layer: it adds them to
// Module.prototype (and to this class's type by declaration merging), so nothing here imports
// upward and a program that never imports the trainer pays nothing for it.
import { sizeOf } from '../backend/backend.js';
import { keep, noGrad } from '../core/engine.js';
import { brief, fmt } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';

/** A JSON value: what `config()` returns, so a saved model's architecture is plain JSON. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** The architecture of one layer: its registered class name and constructor options (JSON itself). */
export type LayerSpec = { type: string; config: JsonObject };

// Tensors made by `param()`. A WeakSet rather than a flag on Tensor keeps parameters an nn idea.
const parameters = new WeakSet<Tensor>();

export function isParameter(t: unknown): t is Tensor {
  return t instanceof Tensor && parameters.has(t);
}

/**
 * The base class. `In` and `Out` type forward's arguments and result; most layers map one
 * tensor to one tensor, LSTM maps (x, state?) to [out, state].
 */
export abstract class Module<In extends unknown[] = [Tensor], Out = Tensor> {
  /** Dropout and friends read this; `train()` and `eval()` set it on the whole tree. */
  training = true;
  // Buffer names: tensors kept with the module but not trained (e.g. running stats); the
  // non-persistent ones stay out of the state dict, as PyTorch's register_buffer(persistent=False).
  readonly #buffers = new Set<string>();
  readonly #transient = new Set<string>();

  abstract forward(...inputs: In): Out;

  /** Runs forward, like calling a torch.nn.Module. */
  call(...inputs: In): Out {
    return this.forward(...inputs);
  }

  /**
   * Constructor options as JSON, enough for `buildLayer({ type, config })` to rebuild this
   * layer (weights aside). Layers without options keep the default.
   */
  config(): JsonObject {
    return {};
  }

  /** One-line description used by toString(); defaults to the config. */
  extraRepr(): string {
    return Object.entries(this.config()).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
  }

  // ---- registration --------------------------------------------------------------------------

  /** Marks t as a trainable parameter (requiresGrad) and returns it, for `this.w = this.param(t)`. */
  protected param(t: Tensor): Tensor {
    if (t.dtype !== 'float32') throw new Error(`${this.constructor.name}: parameters must be float32, got ${t.dtype} of shape ${fmt(t.shape)}`);
    // Parameters outlive any tidy() the layer happens to be built in.
    keep(t);
    t.requiresGrad_(true);
    parameters.add(t);
    return t;
  }

  /** Registers a parameter under a computed name (e.g. 'weight_ih_l0'). */
  registerParameter(name: string, t: Tensor): Tensor {
    this.setField(name, this.param(t));
    return t;
  }

  /** Registers a child module under a computed name (Sequential uses '0', '1', ...). */
  registerModule<M extends AnyModule>(name: string, m: M): M {
    this.setField(name, m);
    return m;
  }

  /**
   * Registers a buffer, as PyTorch's register_buffer: a tensor that belongs to the module but is
   * not trained (never in `parameters()`, so no optimizer sees it). Persistent buffers (the
   * default) are in `stateDict()` under their dotted key, and so in saved files. Assigning a new
   * tensor to the field later keeps it a buffer.
   */
  registerBuffer(name: string, t: Tensor, options: { persistent?: boolean } = {}): Tensor {
    if (!(t instanceof Tensor)) throw new Error(`registerBuffer: '${name}' must be a Tensor, got ${String(t)}`);
    if (isParameter(t)) throw new Error(`registerBuffer: '${name}' is already a parameter; a tensor is a parameter or a buffer, not both`);
    const persistent = options.persistent ?? true;
    this.setField(name, t);
    // Buffers outlive any tidy() the layer happens to be built in, as parameters do.
    keep(t);
    this.#buffers.add(name);
    if (persistent) this.#transient.delete(name);
    else this.#transient.add(name);
    return t;
  }

  private setField(name: string, value: unknown): void {
    if (name === '' || name.includes('.')) throw new Error(`${this.constructor.name}: invalid name '${name}' (must be non-empty and contain no '.')`);
    (this as unknown as Record<string, unknown>)[name] = value;
  }

  private ownEntries(): [string, unknown][] {
    return Object.entries(this);
  }

  // ---- traversal -----------------------------------------------------------------------------

  /** Direct children in registration order (numeric names first, as JavaScript orders keys). */
  *namedChildren(): Generator<[string, AnyModule]> {
    for (const [k, v] of this.ownEntries()) if (v instanceof Module) yield [k, v];
  }

  children(): AnyModule[] {
    return [...this.namedChildren()].map(([, m]) => m);
  }

  /** This module and every descendant, with dotted names ('' for this one). */
  *namedModules(prefix = ''): Generator<[string, AnyModule]> {
    yield [prefix, this];
    for (const [k, m] of this.namedChildren()) yield* m.namedModules(prefix ? `${prefix}.${k}` : k);
  }

  modules(): AnyModule[] {
    return [...this.namedModules()].map(([, m]) => m);
  }

  /** Parameters with PyTorch's dotted names; a parameter shared by two layers is listed once. */
  *namedParameters(): Generator<[string, Tensor]> {
    const seen = new Set<Tensor>();
    for (const [prefix, m] of this.namedModules()) {
      for (const [k, v] of m.ownEntries()) {
        if (isParameter(v) && !seen.has(v)) {
          seen.add(v);
          yield [prefix ? `${prefix}.${k}` : k, v];
        }
      }
    }
  }

  parameters(): Tensor[] {
    return [...this.namedParameters()].map(([, p]) => p);
  }

  /** Buffers (persistent or not) with dotted names; a buffer shared by two modules is listed once. */
  *namedBuffers(): Generator<[string, Tensor]> {
    const seen = new Set<Tensor>();
    for (const [prefix, m] of this.namedModules()) {
      for (const [k, b] of m.ownBuffers()) {
        if (seen.has(b)) continue;
        seen.add(b);
        yield [prefix ? `${prefix}.${k}` : k, b];
      }
    }
  }

  buffers(): Tensor[] {
    return [...this.namedBuffers()].map(([, b]) => b);
  }

  private ownBuffers(persistentOnly = false): [string, Tensor][] {
    return this.ownEntries().filter((e): e is [string, Tensor] =>
      this.#buffers.has(e[0]) && e[1] instanceof Tensor && !(persistentOnly && this.#transient.has(e[0])));
  }

  /** Total number of parameter elements. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  // ---- modes ---------------------------------------------------------------------------------

  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Drops every parameter's gradient (PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  // ---- state dict ----------------------------------------------------------------------------

  /**
   * Parameters and persistent buffers by PyTorch key, in PyTorch's order (each module's own
   * parameters, then its buffers, then its children's); a shared tensor appears under every
   * name, as in torch. The tensors are the module's own (not copies).
   */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [prefix, m] of this.namedModules()) {
      const key = (k: string) => (prefix ? `${prefix}.${k}` : k);
      for (const [k, v] of m.ownEntries()) if (isParameter(v)) out[key(k)] = v;
      for (const [k, b] of m.ownBuffers(true)) out[key(k)] = b;
    }
    return out;
  }

  /**
   * Copies values into the module's tensors in place (optimizers holding them stay valid).
   * strict: every key must match both ways, as in PyTorch.
   */
  loadStateDict(state: Record<string, Tensor> | Map<string, Tensor>, options: { strict?: boolean } = {}): { missingKeys: string[]; unexpectedKeys: string[] } {
    const strict = options.strict ?? true;
    if (state === null || typeof state !== 'object') throw new Error(`loadStateDict: expected a state dict (an object or Map of tensors), got ${brief(state)}`);
    const given = state instanceof Map ? state : new Map(Object.entries(state));
    const own = this.stateDict();
    const missingKeys = Object.keys(own).filter((k) => !given.has(k));
    const unexpectedKeys = [...given.keys()].filter((k) => !(k in own));
    if (strict && (missingKeys.length || unexpectedKeys.length)) {
      throw new Error(`loadStateDict: keys do not match ${this.constructor.name}'s state dict` +
        (missingKeys.length ? `; missing: ${someKeys(missingKeys)}` : '') +
        (unexpectedKeys.length ? `; unexpected: ${someKeys(unexpectedKeys)}` : ''));
    }
    // Every tensor is checked before the first is copied, so a refused state dict changes nothing.
    const copies: [Tensor, Tensor, string][] = [];
    for (const [k, dst] of Object.entries(own)) {
      const src: unknown = given.get(k);
      if (src === undefined) continue;
      if (!(src instanceof Tensor)) throw new Error(`loadStateDict: '${k}' should be a Tensor of shape ${fmt(dst.shape)}, got ${brief(src)}`);
      if (src.isDisposed) throw new Error(`loadStateDict: '${k}' was disposed before it could be loaded`);
      if (src.rank !== dst.rank || src.shape.some((d, i) => d !== dst.shape[i]) || src.dtype !== dst.dtype) {
        throw new Error(`loadStateDict: '${k}' expects ${dst.dtype} of shape ${fmt(dst.shape)}, got ${src.dtype} of shape ${fmt(src.shape)}`);
      }
      if (src.backend !== dst.backend) throw new Error(`loadStateDict: '${k}' lives on ${src.backend.name} but the module is on ${dst.backend.name}; move it with dg.toBackend`);
      copies.push([dst, src, k]);
    }
    for (const [dst, src] of copies) copyInto(dst, src);
    return { missingKeys, unexpectedKeys };
  }

  // ---- description ---------------------------------------------------------------------------

  /** PyTorch's repr with each layer's parameter count and the total, like Keras' summary(). */
  toString(): string {
    const lines: string[] = [];
    const describe = (m: AnyModule, label: string, indent: string): void => {
      const kids = [...m.namedChildren()];
      const count = m.numParameters();
      const head = `${indent}${label}${m.constructor.name}(${kids.length ? '' : m.extraRepr()}`;
      if (!kids.length) {
        lines.push(`${head})${count ? `  # ${count.toLocaleString('en-US')} params` : ''}`);
        return;
      }
      lines.push(head);
      for (const [k, c] of kids) describe(c, `(${k}): `, `${indent}  `);
      lines.push(`${indent})  # ${count.toLocaleString('en-US')} params`);
    };
    describe(this, '', '');
    const trainable = this.parameters().reduce((n, p) => n + (p.requiresGrad ? p.size : 0), 0);
    lines.push(`Total params: ${this.numParameters().toLocaleString('en-US')} (trainable: ${trainable.toLocaleString('en-US')})`);
    return lines.join('\n');
  }

  // ---- architecture --------------------------------------------------------------------------

  /** The registered type name and config, for saving the architecture as JSON. */
  spec(): LayerSpec {
    const type = layerNames.get(this.constructor as LayerClass);
    if (!type) throw new UnregisteredLayerError(this.constructor);
    return { type, config: this.config() };
  }
}

/** What spec() throws for a module of a class nn.registerLayer has not seen (dg.save then writes weights only). */
export class UnregisteredLayerError extends Error {
  /** The class's name. */
  readonly layer: string;

  constructor(readonly layerClass: Function) {
    super(`${layerClass.name} is not registered with nn.registerLayer, so its architecture cannot be saved`);
    this.name = 'UnregisteredLayerError';
    this.layer = layerClass.name;
  }
}

/**
 * Any module, whatever its forward's signature. Method parameters are compared bivariantly,
 * so every Module<In, Out> is assignable to this.
 */
export type AnyModule = Module<unknown[], unknown>;

/** The first few keys, each cut short: a hostile file can hold a million long names. */
function someKeys(keys: string[]): string {
  const shown = keys.slice(0, 8).map((k) => (k.length > 60 ? `${k.slice(0, 60)}...` : k)).join(', ');
  return keys.length > 8 ? `${shown}, ... (${keys.length} in all)` : shown;
}

function copyInto(dst: Tensor, src: Tensor): void {
  if (src.handle === dst.handle) return;
  noGrad(() => dst.backend.scatter(dst.handle, src.handle, { shape: [sizeOf(dst.shape)], strides: [1], offset: 0 }));
}

// ---- the layer registry: rebuilds a module tree from its JSON spec (dg.load) ------------------

type LayerClass = abstract new (...args: never[]) => AnyModule;
const layerNames = new Map<LayerClass, string>();
const layerBuilders = new Map<string, (config: JsonObject) => AnyModule>();

/** Makes a layer class saveable: `build` turns its `config()` back into an instance. */
export function registerLayer<C extends LayerClass>(name: string, cls: C, build: (config: JsonObject) => InstanceType<C>): void {
  if (typeof name !== 'string' || name === '') throw new Error(`registerLayer: name must be a non-empty string, got ${brief(name)}`);
  if (typeof cls !== 'function' || !(cls.prototype instanceof Module)) throw new Error(`registerLayer: '${name}' needs an nn.Module subclass, got ${brief(cls)}`);
  if (typeof build !== 'function') throw new Error(`registerLayer: '${name}' needs a build function (config) => layer, got ${brief(build)}`);
  const existing = layerBuilders.get(name);
  if (existing && layerNames.get(cls) !== name) throw new Error(`registerLayer: the name '${name}' is already taken by another class`);
  layerNames.set(cls, name);
  layerBuilders.set(name, build);
}

/** A fresh module (new random weights) from a spec made by `module.spec()`. */
export function buildLayer(spec: LayerSpec): AnyModule {
  if (spec === null || typeof spec !== 'object' || typeof spec.type !== 'string' || spec.config === null || typeof spec.config !== 'object') {
    throw new Error(`buildLayer: expected a spec { type, config }, got ${brief(spec)}`);
  }
  const build = layerBuilders.get(spec.type);
  if (!build) throw new Error(`buildLayer: unknown layer type ${brief(spec.type)} (registered: ${[...layerBuilders.keys()].join(', ')})`);
  return build(spec.config);
}
