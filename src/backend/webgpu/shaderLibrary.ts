// Node: the WGSL sources are read from the package's shaders/ folder. The browser build swaps
// in shaderLibrary.browser.ts, whose sources the build step embeds from the same files. Either
// gives the files' text as it is; shaders.ts applies the template steps (op codes, i32 variant).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findShaderDir(): string {
  // Walk up from this file: src/backend/webgpu in a checkout, dist/src/backend/webgpu when built.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'shaders');
    if (existsSync(join(candidate, 'matmul.wgsl'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('dawngrad: cannot find the shaders/ folder next to the package sources');
}

let shaderDir: string | undefined;

/** The shader names (file names without .wgsl), sorted. */
export function shaderNames(): string[] {
  shaderDir ??= findShaderDir();
  return readdirSync(shaderDir).filter((f) => f.endsWith('.wgsl')).map((f) => f.slice(0, -5)).sort();
}

/** The text of shaders/<name>.wgsl. */
export function shaderText(name: string): string {
  shaderDir ??= findShaderDir();
  return readFileSync(join(shaderDir, `${name}.wgsl`), 'utf8');
}
