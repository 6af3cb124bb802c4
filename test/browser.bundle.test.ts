// The bundle as a page meets it: nothing Node-only inside, Node-only functions that say so,
// paths that are URLs, and dg.init() falling back to cpu with one warning where the browser
// offers no WebGPU adapter.
import { readFileSync } from 'node:fs';
import puppeteer from 'puppeteer-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildBrowser, shaderSources } from '../scripts/build-browser.js';
import type * as Dg from '../src/index.js';
import { browserTest, bundlePageHooks, chromiumPath, waitInPage } from './support/browser.js';

const t = suite('browser: the bundle in a page');
const { session, page } = bundlePageHooks(t, '');

// No browser needed: this one runs everywhere.
t('the bundle holds no Node builtin or Dawn import, and embeds every shader', async () => {
  const { path } = await buildBrowser();
  const text = readFileSync(path, 'utf8');
  assert.not.match(text, /["']node:|from\s*["']webgpu["']|require\(/);
  for (const [name, source] of Object.entries(shaderSources())) {
    // The minifier re-quotes strings (escaping backticks and backslashes), so compare the lines it leaves as they are.
    const plain = source.split('\n').filter((line) => line.trim().length > 0 && !/[`\\$]/.test(line));
    assert.ok(plain.length > 5, `shaders/${name}.wgsl has lines to compare`);
    for (const line of plain) assert.ok(text.includes(line), `shaders/${name}.wgsl embedded: ${line}`);
  }
});

browserTest(t)('Node-only functions say so, a relative path is fetched, and save without a path gives bytes', async () => {
  // No named functions inside: tsx would wrap them in a __name helper the page lacks.
  const messages = await page().page.evaluate(async () => {
    const dg = (globalThis as unknown as { dg: typeof Dg }).dg;
    const model = new dg.nn.Sequential(new dg.nn.Linear(2, 3));
    const bytes = await dg.save(model);
    const back = await dg.load(bytes);
    const [mnist, spam, folder, saveToPath, missing] = await Promise.all([
      () => dg.data.mnist(), async () => dg.data.spamAssassin(), async () => new dg.data.ImageDataGenerator().flowFromDirectory('data/train'),
      () => dg.save(model, 'model.safetensors'), () => dg.load('nothing-here.safetensors'),
    ].map((f) => f().then(() => 'no error', (e: Error) => e.message)));
    return {
      backend: dg.backend(), mnist, spam, folder, saveToPath, missing,
      shipped: (await dg.load('model.safetensors')).constructor.name,
      roundTrip: [bytes.constructor.name, Object.keys(back.stateDict()).join(',')],
    };
  });
  assert.is(messages.backend, 'webgpu');
  assert.match(messages.mnist, /^mnist: runs in Node only/);
  assert.match(messages.spam, /^spamAssassin: runs in Node only/);
  assert.match(messages.folder, /^flowFromDirectory: runs in Node only/);
  assert.match(messages.saveToPath, /^writeFileAtomic: cannot write 'model.safetensors' in a page .*dg.save\(model\) with no path/);
  assert.match(messages.missing, /nothing-here.safetensors.*HTTP 404/);
  assert.is(messages.shipped, 'Sequential');
  assert.equal(messages.roundTrip, ['Uint8Array', '0.weight,0.bias']);
});

browserTest(t)('without a WebGPU adapter dg.init() runs on cpu after one warning', async () => {
  // The same chromium without the flags that enable its software WebGPU has no adapter.
  const sandbox = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  const plain = await puppeteer.launch({ executablePath: chromiumPath!, args: ['--headless=new', ...sandbox] });
  try {
    const p = await plain.newPage();
    const warnings: string[] = [];
    // Chromium logs its own "No available adapters."; the test counts dawngrad's.
    p.on('console', (m) => { if (m.type() === 'warn' && m.text().startsWith('dawngrad:')) warnings.push(m.text()); });
    await p.goto(new URL('blank.html', session().url).href);
    await p.addScriptTag({ type: 'module', content: "import * as dg from '/dawngrad.browser.js'; await dg.init(); window.result = [dg.backend(), await dg.tensor([1, 2]).add(1).array()];" });
    await waitInPage({ page: p, errors: [] }, 'globalThis.result !== undefined', 30_000);
    assert.equal(await p.evaluate(() => (globalThis as unknown as { result: unknown }).result), ['cpu', [2, 3]]);
    assert.is(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0]!, /no WebGPU adapter found.*Falling back to the cpu backend/);
  } finally {
    await plain.close();
  }
});

t.run();
