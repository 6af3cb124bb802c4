// WGSL sources by name, from the package's shaders/ folder (see shaderLibrary.ts; the browser
// build embeds the same files through shaderLibrary.browser.ts, and both go through the
// template steps below, so a page runs exactly what Node runs).
//
// The template steps, each rewriting one line in place so compile errors keep naming the
// file's own line numbers:
// - Op codes. A line `//#op-codes UNARY_OPS` (or several arrays: `//#op-codes BINARY_OPS
//   COMPARE_OPS`) becomes `const OP_NEG: u32 = 0u; const OP_EXP: u32 = 1u; ...`: each name of
//   that array (src/backend/backend.ts's), in SCREAMING_SNAKE_CASE, with its position, which is
//   the number the dispatcher passes in the `OP` override (`UNARY_OPS.indexOf(op)`). The WGSL
//   switches on `case OP_NEG`, so reordering an array changes both sides at once, and a name
//   the WGSL uses that the array lacks (or two arrays giving one name) does not compile.
// - Flag bits, the same way: `//#flags OPTIM_FLAGS` becomes `const FLAG_NESTEROV: u32 = 1u;
//   const FLAG_DECOUPLED: u32 = 2u; ...`, bit i for the array's i-th name, as the dispatcher packs
//   them (`flagBit`). shaderConstants.ts lists the arrays each step may name.
// - Element type. A shader that works on several element types declares `alias T = f32;` on a
//   line of its own; `variant: 'i32'` replaces that line with `alias T = i32;`.
// Everything else is specialised with WGSL `override` constants.
import { FLAG_ARRAYS, OP_ARRAYS } from './shaderConstants.js';
import { shaderNames, shaderText } from './shaderLibrary.js';

export type ShaderVariant = 'f32' | 'i32';

const snake = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/** 'leakyRelu' -> 'OP_LEAKY_RELU'. */
export const opConstant = (op: string): string => `OP_${snake(op)}`;

/** What each template line writes: its arrays, and one constant per name. */
const TEMPLATES: Readonly<Record<string, { arrays: Readonly<Record<string, readonly string[]>>; constant: (name: string, i: number) => string }>> = {
  'op-codes': { arrays: OP_ARRAYS, constant: (op, i) => `const ${opConstant(op)}: u32 = ${i}u;` },
  flags: { arrays: FLAG_ARRAYS, constant: (flag, i) => `const FLAG_${snake(flag)}: u32 = ${2 ** i}u;` },
};

/** The op-codes and flags template steps on one shader's text (exported for its test). */
export function withConstants(name: string, text: string): string {
  return text.replace(/^\/\/#([a-z-]+)(.*)$/gm, (line: string, kind: string, list: string) => {
    const template = TEMPLATES[kind];
    if (!template) throw new Error(`shaders/${name}.wgsl: unknown template line '${line}' (expected //#${Object.keys(TEMPLATES).join(' or //#')})`);
    const known = Object.keys(template.arrays).join(', ');
    const arrays = list.trim().split(/\s+/).filter((a) => a.length > 0);
    if (arrays.length === 0) throw new Error(`shaders/${name}.wgsl: '//#${kind}' names no array (expected some of ${known})`);
    return arrays.map((array) => {
      const names = template.arrays[array];
      if (!names) throw new Error(`shaders/${name}.wgsl: '//#${kind}' names '${array}', which is none of ${known}`);
      return names.map(template.constant).join(' ');
    }).join(' ');
  });
}

const sources = new Map<string, string>();

export { shaderNames as listShaders };

export function shaderSource(name: string, variant: ShaderVariant = 'f32'): string {
  const key = `${name}:${variant}`;
  let src = sources.get(key);
  if (src === undefined) {
    const text = withConstants(name, shaderText(name));
    if (variant === 'f32') {
      src = text;
    } else {
      if (!/^alias T = f32;$/m.test(text)) throw new Error(`shaders/${name}.wgsl has no 'alias T = f32;' line for the ${variant} variant`);
      src = text.replace(/^alias T = f32;$/m, `alias T = ${variant};`);
    }
    sources.set(key, src);
  }
  return src;
}

/** Turns WGSL compilation messages into one error naming the file, line and column. */
export function compileError(name: string, variant: ShaderVariant, messages: readonly GPUCompilationMessage[]): Error | null {
  const errors = messages.filter((m) => m.type === 'error');
  if (errors.length === 0) return null;
  const lines = errors.map((m) => `shaders/${name}.wgsl:${m.lineNum}:${m.linePos}: ${m.message}`);
  return new Error(`WGSL compile error (${variant} variant):\n${lines.join('\n')}`);
}

const writable = new Map<string, ReadonlySet<number>>();

/**
 * The binding slots a shader declares `var<storage, read_write>`: the buffers its kernels write.
 * The runtime passes a deferred check's dependency from the other bindings to these.
 */
export function writableBindings(name: string, variant: ShaderVariant = 'f32'): ReadonlySet<number> {
  let slots = writable.get(name);
  if (!slots) {
    const decl = /@binding\((\d+)\)\s*var<storage,\s*read_write>/g;
    slots = new Set([...shaderSource(name, variant).matchAll(decl)].map((m) => Number(m[1])));
    writable.set(name, slots);
  }
  return slots;
}

const slotsByName = new Map<string, ReadonlyMap<string, number>>();

/** Each binding's slot by its WGSL variable's name, for dispatches that bind by name. */
export function bindingSlots(name: string): ReadonlyMap<string, number> {
  let slots = slotsByName.get(name);
  if (!slots) {
    const decl = /@binding\((\d+)\)\s*var(?:<[^>]*>)?\s+(\w+)/g;
    slots = new Map([...shaderSource(name).matchAll(decl)].map((m) => [m[2]!, Number(m[1])]));
    slotsByName.set(name, slots);
  }
  return slots;
}
