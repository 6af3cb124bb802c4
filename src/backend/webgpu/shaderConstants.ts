// The arrays the shader loader writes into WGSL as named constants (see shaders.ts): the op
// families, whose position is the `OP` override a dispatcher passes, and the optimizer's flag
// bits, which kernels/optim.ts packs into the flags word. One list per set, read by both sides.
import { BINARY_OPS, COMPARE_OPS, REDUCE_OPS, UNARY_OPS } from '../backend.js';

/** `//#op-codes NAME ...`: each op becomes `OP_<NAME>` = its position. */
export const OP_ARRAYS: Readonly<Record<string, readonly string[]>> = { UNARY_OPS, BINARY_OPS, COMPARE_OPS, REDUCE_OPS };

/** Settings of one optimizer step that shaders/optim.wgsl tests as bits of `h.flags`. */
export const OPTIM_FLAGS = ['nesterov', 'decoupled', 'centered', 'momentum'] as const;
export type OptimFlag = (typeof OPTIM_FLAGS)[number];

/** `//#flags NAME ...`: each flag becomes `FLAG_<NAME>` = 1 << its position. */
export const FLAG_ARRAYS: Readonly<Record<string, readonly string[]>> = { OPTIM_FLAGS };

/** The bit of `flag` in the flags word. */
export const flagBit = (flag: OptimFlag): number => 1 << OPTIM_FLAGS.indexOf(flag);
