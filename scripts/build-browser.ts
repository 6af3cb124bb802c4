// Builds dist/dawngrad.browser.js, the package as one ES module for pages (a plain
// <script type="module">, or a bundler through the package's `browser` export condition).
//
// Two things make the Node sources a browser build:
// - A module with a `.browser.ts` sibling is replaced by it (the package.json "browser" field's
//   idea, applied to sources): the GPU instance, shader loading, file access, the autotune
//   cache and the dataset loaders. Nothing else differs, so the page runs the same kernels.
// - 'dawngrad:shader-sources' is generated here from shaders/*.wgsl on every build, so the
//   embedded WGSL can never drift from the files (and compile errors still name them). They are
//   embedded as written: the page's shader loader (src/backend/webgpu/shaders.ts, the same
//   module as in Node) writes the op-code constants into them at load time.
// esbuild's browser platform rejects any Node builtin left in the graph, so a Node-only import
// that escapes the swap fails the build instead of the page.
//   npx tsx scripts/build-browser.ts [--no-minify]
import { build, type Plugin } from 'esbuild';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE_PATH = join(REPO, 'dist', 'dawngrad.browser.js');
const SHADER_MODULE = 'dawngrad:shader-sources';

/** Each shaders/*.wgsl file's text by name, as the generated module exports it. */
export function shaderSources(): Record<string, string> {
  const dir = join(REPO, 'shaders');
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.wgsl')).sort()) out[f.slice(0, -5)] = readFileSync(join(dir, f), 'utf8');
  return out;
}

export const browserSources: Plugin = {
  name: 'dawngrad-browser-sources',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^${SHADER_MODULE}$`) }, () => ({ path: SHADER_MODULE, namespace: 'dawngrad-generated' }));
    b.onLoad({ filter: /.*/, namespace: 'dawngrad-generated' }, () => ({
      contents: `export const SHADER_SOURCES = ${JSON.stringify(shaderSources())};`,
      loader: 'js',
    }));
    b.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
      const sibling = resolve(args.resolveDir, args.path.replace(/\.js$/, '.browser.ts'));
      return existsSync(sibling) ? { path: sibling } : undefined;
    });
  },
};

export interface BrowserBuild {
  path: string;
  bytes: number;
}

/** Bundles `entry` (default: the package's entry) for the browser into `outfile`. */
export async function buildBrowser(options: { entry?: string; outfile?: string; minify?: boolean; external?: string[] } = {}): Promise<BrowserBuild> {
  const outfile = options.outfile ?? BUNDLE_PATH;
  const result = await build({
    entryPoints: [options.entry ?? join(REPO, 'src', 'index.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: options.minify ?? true,
    // Error messages and a model's printout name layers by their class name.
    keepNames: true,
    // The WGSL comments' non-ASCII characters stay as they are in the files, not \u escapes.
    charset: 'utf8',
    sourcemap: true,
    external: options.external,
    plugins: [browserSources],
    metafile: true,
    logLevel: 'warning',
  });
  const out = Object.entries(result.metafile.outputs).find(([p]) => p.endsWith('.js'))!;
  return { path: outfile, bytes: out[1].bytes };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { path, bytes } = await buildBrowser({ minify: !process.argv.includes('--no-minify') });
  // On stderr: `npm pack --json` runs this (prepack -> build) and its stdout must stay JSON.
  console.error(`build-browser: ${path} (${(bytes / 1024).toFixed(1)} KiB)`);
}
