// The browser tests' headless Chromium: Debian's chromium (scripts/install-chromium.sh) driven
// by puppeteer-core, with the flags that give it a WebGPU adapter without a GPU (SwiftShader).
// Like the webgpu tests, a test registered through `browserTest` is counted as skipped on a
// machine without chromium, and fails there in CI (CI=true), where a skip would hide a gap.
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import type { Callback, Test } from 'uvu';
import { buildDemo, serveDemo } from '../../examples/web/serve.js';
import { webgpuAvailable } from './webgpu.js';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** $CHROMIUM_PATH when set (only it), else the first of the usual places that exists. */
export const chromiumPath: string | undefined = (process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : CANDIDATES).find((p) => existsSync(p));

export const CHROMIUM_FLAGS = ['--headless=new', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=native', '--use-angle=vulkan'];

const MISSING = `no chromium found (looked at ${process.env.CHROMIUM_PATH ?? CANDIDATES.join(', ')}); install it with \`sudo bash scripts/install-chromium.sh\``;

/**
 * Whether the page can have WebGPU here: chromium, and (with --use-vulkan=native) a Vulkan
 * driver, the same one the webgpu tests need; without one the page has no adapter either.
 */
export const browserAvailable = chromiumPath !== undefined && webgpuAvailable;

/** `t(name, fn)` where chromium and a Vulkan driver exist; else skipped, or in CI a test that fails saying what to install. */
export function browserTest<T>(t: Test<T>): (name: string, fn: Callback<T>) => void {
  if (browserAvailable) return (name, fn) => t(name, fn);
  if (process.env.CI === 'true') return (name) => t(name, () => { throw new Error(`${name}: ${MISSING}`); });
  return (name, fn) => t.skip(name, fn);
}

export interface OpenPage {
  page: Page;
  /** The page's uncaught errors so far. */
  errors: Error[];
}

export interface Session {
  browser: Browser;
  server: Server;
  /** The demo server's root URL. */
  url: string;
  /** A new page at `path` of the demo server. */
  open(path: string): Promise<OpenPage>;
  close(): Promise<void>;
}

/** Builds the bundle and demo, serves them on 127.0.0.1 (free port), and starts chromium. */
export async function startSession(): Promise<Session> {
  await buildDemo();
  const { url, server } = await serveDemo({ port: 0, host: '127.0.0.1' });
  // Chromium's sandbox refuses to start as root (CI containers run tests as root).
  const sandbox = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  const browser = await puppeteer.launch({ executablePath: chromiumPath!, args: [...CHROMIUM_FLAGS, ...sandbox], defaultViewport: { width: 1280, height: 760 } });
  return {
    browser, server, url,
    async open(path) {
      const page = await browser.newPage();
      const errors: Error[] = [];
      page.on('pageerror', (e) => errors.push(e as Error));
      await page.goto(new URL(path, url).href);
      return { page, errors };
    },
    async close() {
      await browser.close();
      await new Promise((ok) => server.close(ok));
    },
  };
}

/** Waits for `fn` to hold in the page, failing early with the page's own error if it throws. */
export async function waitInPage({ page, errors }: OpenPage, fn: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(fn))) {
    if (errors.length) throw new Error(`page error: ${errors.map((e) => e.message).join('; ')}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${fn}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

/**
 * Starts a session in `t`'s before hook (closed in its after hook) with a blank page where the
 * bundle is imported as `window.dg`, after `await dg.init(<initOptions>)`. Registers nothing
 * where chromium is missing, as the suite's tests are then skipped (see browserTest).
 */
export function bundlePageHooks<T>(t: Test<T>, initOptions: string): { session: () => Session; page: () => OpenPage } {
  let session: Session | undefined;
  let page: OpenPage | undefined;
  if (browserAvailable) {
    t.before(async () => {
      session = await startSession();
      page = await session.open('blank.html');
      await page.page.addScriptTag({ type: 'module', content: `import * as dg from '/dawngrad.browser.js'; await dg.init(${initOptions}); window.dg = dg;` });
      await waitInPage(page, 'globalThis.dg !== undefined', 30_000);
    });
    t.after(async () => {
      await session?.close();
    });
  }
  return { session: () => session!, page: () => page! };
}

