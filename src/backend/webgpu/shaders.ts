// WGSL sources by name, from the package's shaders/ folder (see shaderLibrary.ts).
//
// The one template step: a shader that works on several element types declares
// `alias T = f32;` on a line of its own; `variant: 'i32'` replaces that line with
// `alias T = i32;`. Everything else is specialised with WGSL `override` constants.
import { shaderNames, shaderText } from './shaderLibrary.js';

export type ShaderVariant = 'f32' | 'i32';

const sources = new Map<string, string>();

export { shaderNames as listShaders };

export function shaderSource(name: string, variant: ShaderVariant = 'f32'): string {
  const key = `${name}:${variant}`;
  let src = sources.get(key);
  if (src === undefined) {
    const text = shaderText(name);
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
