// dg.debug: opt-in checks that cost something, off by default. With checkNumerics on, every op's
// float32 output is checked for NaN/Inf (on the device for webgpu, see shaders/numerics.wgsl);
// off, the only cost is one boolean test per op.
import type { Backend, Handle } from '../backend/backend.js';
import { fmt } from './shape.js';

export interface DebugOptions {
  /** Check every op's output for NaN/Inf and throw naming the first op that produced one. */
  checkNumerics?: boolean;
}

export const debugState = {
  checkNumerics: false,
  /** The op whose backward rule is running (set by autograd), so its tensors are named after it. */
  backwardOf: null as string | null,
};

/** Sets the given debug options (others keep their value) and returns the settings now in force. */
export function debug(options: DebugOptions = {}): Required<DebugOptions> {
  if (options === null || typeof options !== 'object') throw new Error(`debug: expected an options object, got ${String(options)}`);
  const { checkNumerics } = options;
  if (checkNumerics !== undefined) {
    if (typeof checkNumerics !== 'boolean') throw new Error(`debug: checkNumerics must be true or false, got ${String(checkNumerics)}`);
    debugState.checkNumerics = checkNumerics;
  }
  return { checkNumerics: debugState.checkNumerics };
}

/** Files whose functions are the public ops (and the Tensor methods forwarding to them). */
const OP_FILE = /[\\/]src[\\/]core[\\/](ops[\\/][\w.]+|tensor)\.[jt]s/;
const CORE_FILE = /[\\/]src[\\/]core[\\/]/;
/** A frame's function name without its receiver (`Tensor.add`, `Module.div`). */
const FRAME = /^\s*at (?:async )?(?:[\w$]+\.)*([\w$]+) \(/;
/** Helpers of the op files that are not ops themselves. */
const NOT_OPS = new Set(['wrap', 'checkOutput', 'fromHandle', 'backward', 'scalarOn', 'operand']);

/**
 * The public op that is running: the outermost function of src/core/ops (or Tensor method) on
 * the stack before it leaves src/core for the caller's code (a layer, fit, the user). Helpers
 * an op calls (matmulRaw under matmul) are inner frames, so the name is the one the user called.
 * Read from a stack trace, so only in debug mode.
 */
function publicOpName(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 64;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  let name = 'an op';
  let inside = false;
  for (const line of stack.split('\n').slice(1)) {
    if (!CORE_FILE.test(line)) {
      if (inside) break;
      continue;
    }
    inside = true;
    const m = FRAME.exec(line);
    if (m && OP_FILE.test(line) && !NOT_OPS.has(m[1]!)) name = m[1]!;
  }
  return name;
}

/** Checks an op's fresh float32 output (dg.debug checkNumerics); throws on cpu, queues on webgpu. */
export function checkOutput(backend: Backend, handle: Handle, shape: readonly number[]): void {
  if (handle.dtype !== 'float32') return;
  const op = debugState.backwardOf ? `the backward of ${debugState.backwardOf}` : publicOpName();
  backend.checkNumerics(handle, `${op} (output shape ${fmt(shape)})`);
}
