// `npm run demo`: builds the browser bundle and the demo page, then serves them on
// 127.0.0.1 (localhost is a secure context, which WebGPU requires).
//   npm run demo -- [--port 8080]
// Only the files listed below are served (no directory is exposed). The model trained by
// `npm run mnist` is served when it exists, and the page prefers it to the shipped one.
import { createReadStream, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBrowser, BUNDLE_PATH, REPO } from '../../scripts/build-browser.js';

const HERE = join(REPO, 'examples', 'web');
const APP_PATH = join(REPO, 'dist', 'web', 'app.js');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript', '.map': 'application/json',
  '.bin': 'application/octet-stream', '.safetensors': 'application/octet-stream',
};

/** URL path -> file; a string body is served as HTML. */
function routes(): Map<string, string | { html: string }> {
  const files: [string, string][] = [
    ['/', join(HERE, 'index.html')], ['/index.html', join(HERE, 'index.html')], ['/style.css', join(HERE, 'style.css')],
    ['/digits.bin', join(HERE, 'digits.bin')], ['/model.safetensors', join(HERE, 'model.safetensors')],
    ['/app.js', APP_PATH], ['/app.js.map', `${APP_PATH}.map`],
    ['/dawngrad.browser.js', BUNDLE_PATH], ['/dawngrad.browser.js.map', `${BUNDLE_PATH}.map`],
    ['/runs/mnist/model.safetensors', join(REPO, 'runs', 'mnist', 'model.safetensors')],
  ];
  const table = new Map<string, string | { html: string }>(files);
  // An empty page on the demo's origin, for code (the browser tests) that imports the bundle.
  table.set('/blank.html', { html: '<!doctype html><meta charset="utf-8"><title>dawngrad</title>' });
  return table;
}

/** Builds the bundle (dist/dawngrad.browser.js) and the page's script (dist/web/app.js). */
export async function buildDemo(): Promise<{ bundleBytes: number }> {
  const bundle = await buildBrowser();
  // The page imports 'dawngrad' by name; its import map resolves that to the bundle.
  await buildBrowser({ entry: join(HERE, 'app.ts'), outfile: APP_PATH, external: ['dawngrad'], minify: false });
  return { bundleBytes: bundle.bytes };
}

export async function serveDemo(options: { port?: number; host?: string } = {}): Promise<{ url: string; server: Server }> {
  const table = routes();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const target = table.get(path);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'text/plain', allow: 'GET, HEAD' });
      res.end(`${req.method}: only GET and HEAD are served\n`);
      return;
    }
    if (target === undefined || (typeof target === 'string' && !existsSync(target))) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`${path}: not found\n`);
      return;
    }
    if (typeof target !== 'string') {
      res.writeHead(200, { 'content-type': TYPES['.html']!, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : target.html);
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[target.slice(target.lastIndexOf('.'))] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    if (req.method === 'HEAD') res.end();
    else createReadStream(target).pipe(res);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', ok);
  });
  const { address, port } = server.address() as AddressInfo;
  return { url: `http://${address}:${port}/`, server };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--port');
  const port = at >= 0 ? Number(process.argv[at + 1]) : 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`demo: --port must be an integer in 0..65535, got ${process.argv[at + 1]}`);
  const { bundleBytes } = await buildDemo();
  const { url } = await serveDemo({ port });
  console.log(`demo: bundle ${(bundleBytes / 1024).toFixed(1)} KiB; serving ${url} (Ctrl-C stops)`);
}
