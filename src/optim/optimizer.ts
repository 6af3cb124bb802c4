// The optimizer base: parameter groups, per-parameter state living on the device, and one
// fused backend update (Backend.optimStep) per parameter per step. Subclasses only say which
// kernel runs, which state buffers their settings need, and how options map to the kernel's.
import type { OptimHyper, OptimKind } from '../backend/backend.js';
import { keep, noGrad } from '../core/engine.js';
import { zerosLike } from '../core/ops/creation.js';
import { clone } from '../core/ops/layout.js';
import { brief, fmt } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';

/** A group of parameters sharing settings; options left out take the optimizer's defaults. */
export type ParamGroupInput<O> = { params: Iterable<Tensor> } & Partial<O>;
export type ParamGroup<O> = { params: Tensor[] } & O;
export type Params<O> = Iterable<Tensor> | ParamGroupInput<O>[];

interface ParamState {
  step: number;
  /** Named state buffers in the kernel's slot order; null where the settings need none. */
  buffers: (Tensor | null)[];
}

/** What `stateDict()` returns (PyTorch's layout: state keyed by parameter index). */
export interface OptimizerStateDict {
  state: Record<number, { step: number; [buffer: string]: Tensor | number }>;
  paramGroups: Record<string, unknown>[];
}

function isGroupList<O>(p: Params<O>): p is ParamGroupInput<O>[] {
  return Array.isArray(p) && p.length > 0 && !(p[0] instanceof Tensor);
}

export abstract class Optimizer<O extends { lr: number }> {
  readonly paramGroups: ParamGroup<O>[];
  readonly #state = new Map<Tensor, ParamState>();

  constructor(readonly name: string, params: Params<O>, readonly defaults: O) {
    if (params === null || typeof params !== 'object' || !(Symbol.iterator in params)) {
      throw new Error(`${name}: params must be an iterable of tensors (model.parameters()) or a list of parameter groups, got ${brief(params)}`);
    }
    const groups = isGroupList(params) ? params : [{ params } as ParamGroupInput<O>];
    this.paramGroups = groups.map((g, gi) => {
      if (g === null || typeof g !== 'object' || g.params === null || typeof g.params !== 'object' || !(Symbol.iterator in g.params)) {
        throw new Error(`${name}: parameter group ${gi} must be { params, ...options } with an iterable params`);
      }
      // An unknown option (a typo like learningRate) would silently train with the default.
      for (const key of Object.keys(g)) {
        if (key !== 'params' && !(key in defaults)) throw new Error(`${name}: unknown option '${key}' (supported: ${Object.keys(defaults).join(', ')})`);
      }
      const list = [...g.params];
      list.forEach((p, i) => {
        if (!(p instanceof Tensor)) throw new Error(`${name}: parameter ${i} of group ${gi} is not a Tensor`);
        if (p.dtype !== 'float32') throw new Error(`${name}: parameters must be float32, got ${p.dtype} of shape ${fmt(p.shape)}`);
      });
      const group = { ...defaults, ...g, params: list } as ParamGroup<O>;
      this.validate(group);
      return group;
    });
    const all = this.paramGroups.flatMap((g) => g.params);
    if (all.length === 0) throw new Error(`${name}: got an empty parameter list`);
    if (new Set(all).size !== all.length) throw new Error(`${name}: a parameter appears more than once`);
  }

  /** Throws a clear error for an out-of-range option. */
  protected abstract validate(group: ParamGroup<O>): void;
  protected abstract readonly kind: OptimKind;
  /** State buffer names in kernel slot order (PyTorch's names), null for an unused slot. */
  protected abstract stateNames(group: ParamGroup<O>): (string | null)[];
  protected abstract hyper(group: ParamGroup<O>, step: number): OptimHyper;

  /** One update of every parameter that has a gradient. Queues work; never waits for the GPU. */
  step(): void {
    noGrad(() => {
      for (const group of this.paramGroups) {
        const names = this.stateNames(group);
        for (const p of group.params) {
          if (!p.grad) continue;
          if (p.grad.backend !== p.backend || p.grad.size !== p.size) {
            throw new Error(`${this.name}: gradient of shape ${fmt(p.grad.shape)} does not match its parameter of shape ${fmt(p.shape)}`);
          }
          const st = this.stateOf(p, names);
          st.step++;
          p.backend.optimStep(this.kind, p.handle, p.grad.handle, st.buffers.map((b) => b?.handle ?? null), this.hyper(group, st.step));
        }
      }
    });
  }

  private stateOf(p: Tensor, names: (string | null)[]): ParamState {
    let st = this.#state.get(p);
    if (!st) {
      st = { step: 0, buffers: [] };
      this.#state.set(p, st);
    }
    // A buffer appears when the settings start needing one (momentum turned on later); it starts at zero.
    names.forEach((n, i) => {
      if (n && !st.buffers[i]) st.buffers[i] = keep(zerosLike(p));
    });
    return st;
  }

  /** Drops every gradient (PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        p.grad?.dispose();
        p.grad = null;
      }
    }
  }

  /** Learning rate of the first group (what schedulers and fit's logs report). */
  get lr(): number {
    return this.paramGroups[0]!.lr;
  }

  /** The state in PyTorch's layout. Tensors are the optimizer's own; save them, don't dispose them. */
  stateDict(): OptimizerStateDict {
    const state: OptimizerStateDict['state'] = {};
    let index = 0;
    const paramGroups = this.paramGroups.map((group) => {
      const names = this.stateNames(group);
      const ids: number[] = [];
      for (const p of group.params) {
        const st = this.#state.get(p);
        if (st) {
          const entry: { step: number; [k: string]: Tensor | number } = { step: st.step };
          names.forEach((n, i) => { if (n && st.buffers[i]) entry[n] = st.buffers[i]!; });
          state[index] = entry;
        }
        ids.push(index++);
      }
      const { params: _params, ...options } = group;
      return { ...options, params: ids };
    });
    return { state, paramGroups };
  }

  /**
   * Restores settings and state saved by `stateDict()` (copies; the given tensors stay the
   * caller's). Everything is checked before anything changes, so a refused state dict leaves
   * the optimizer as it was.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const op = `${this.name}.loadStateDict`;
    if (sd === null || typeof sd !== 'object' || !Array.isArray(sd.paramGroups) || sd.state === null || typeof sd.state !== 'object') {
      throw new Error(`${op}: expected { state, paramGroups } as stateDict() returns, got ${brief(sd)}`);
    }
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new Error(`${op}: expected ${this.paramGroups.length} parameter groups, got ${sd.paramGroups.length}`);
    }
    const plan = sd.paramGroups.map((saved, gi) => {
      const group = this.paramGroups[gi]!;
      const ids = saved?.params as number[];
      if (!Array.isArray(ids) || ids.length !== group.params.length) {
        throw new Error(`${op}: group ${gi} has ${group.params.length} parameters, the saved one ${Array.isArray(ids) ? ids.length : 'none'}`);
      }
      const { params: _ids, ...options } = saved;
      for (const key of Object.keys(options)) {
        if (!(key in this.defaults)) throw new Error(`${op}: unknown option '${key}' in group ${gi} (supported: ${Object.keys(this.defaults).join(', ')})`);
      }
      const settings = { ...group, ...options } as ParamGroup<O>;
      this.validate(settings);
      const names = this.stateNames(settings);
      const states = group.params.map((p, k) => {
        const entry = sd.state[ids[k]!];
        if (entry === undefined) return null;
        if (entry === null || typeof entry !== 'object' || !Number.isInteger(entry.step) || entry.step < 0) {
          throw new Error(`${op}: the state of parameter ${ids[k]} needs a step count (an integer >= 0), got ${brief(entry?.step)}`);
        }
        names.forEach((n) => {
          const t = n ? entry[n] : null;
          if (n && (!(t instanceof Tensor) || t.isDisposed || t.size !== p.size || t.dtype !== p.dtype)) {
            throw new Error(`${op}: state '${n}' of parameter ${ids[k]} should be a float32 tensor of shape ${fmt(p.shape)}, got ${t instanceof Tensor ? `${t.dtype} ${fmt(t.shape)}` : brief(t)}`);
          }
        });
        return entry;
      });
      return { group, options, names, states };
    });
    for (const { group, options, names, states } of plan) {
      Object.assign(group, options);
      group.params.forEach((p, k) => {
        this.#state.get(p)?.buffers.forEach((b) => b?.dispose());
        this.#state.delete(p);
        const entry = states[k];
        if (!entry) return;
        const buffers = names.map((n) => (n ? keep(noGrad(() => clone(entry[n] as Tensor))) : null));
        this.#state.set(p, { step: entry.step, buffers });
      });
    }
  }
}

/** The defaults with the user's options over them; an unknown option (a typo like
 *  learningRate) is an error, since it would otherwise train silently with the default. */
export function withDefaults<O extends object>(opt: string, defaults: O, options: Partial<O>): O {
  if (options === null || typeof options !== 'object') throw new Error(`${opt}: options must be an object, got ${brief(options)}`);
  for (const key of Object.keys(options)) {
    if (!(key in defaults)) throw new Error(`${opt}: unknown option '${key.slice(0, 60)}' (supported: ${Object.keys(defaults).join(', ')})`);
  }
  return { ...defaults, ...options };
}

/** Shared option checks: name the optimizer, the option and the bad value. */
export function checkRange(opt: string, name: string, v: number, ok: (v: number) => boolean, expected: string): void {
  if (typeof v !== 'number' || !ok(v)) throw new Error(`${opt}: invalid ${name} ${brief(v)} (expected ${expected})`);
}

/** The option names whose values are numbers. */
type NumberKeys<O> = { [K in keyof O]: O[K] extends number ? K : never }[keyof O] & string;

/** checkRange for each named option that must be >= 0 (lr, eps, weight decay, ...), in order. */
export function checkNonNegative<O>(opt: string, g: O, names: readonly NumberKeys<O>[]): void {
  for (const name of names) checkRange(opt, name, g[name] as number, (v) => v >= 0 && Number.isFinite(v), 'a finite number >= 0');
}

export const BASE_HYPER: OptimHyper = {
  step: 0, lr: 0, weightDecay: 0, momentum: 0, dampening: 0, nesterov: false,
  beta1: 0, beta2: 0, eps: 0, alpha: 0, decoupled: false, centered: false,
};
