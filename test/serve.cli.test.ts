// `dawngrad serve`'s flags, parsed in process (the action replaced, so nothing starts): the
// defaults, the refusals, where the API key comes from, and that the arguments deploy/ passes
// (the Dockerfile's CMD, the Deployment's and the InferenceService's args) are flags the
// command really defines.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAllDocuments } from 'yaml';
import { program, resolveFlags, type ServeFlags } from '../src/serve/cli.js';
import { DEFAULTS } from '../src/serve/options.js';
import { rejection } from './support/compare.js';

const t = suite('serve cli');
const dir = mkdtempSync(join(tmpdir(), 'dawngrad-serve-cli-'));
const deploy = resolve(import.meta.dirname, '..', 'deploy');
t.after(() => rmSync(dir, { recursive: true, force: true }));

/** The serve flags commander makes of `args`; a usage error rejects with commander's message. */
async function parse(args: string[]): Promise<ServeFlags> {
  let got: ServeFlags | null = null;
  const cli = program(async (flags) => { got = flags; });
  for (const c of [cli, ...cli.commands]) c.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  await cli.parseAsync(['node', 'dawngrad', 'serve', ...args]);
  return got!;
}

t('the defaults are the documented ones', async () => {
  const { options, source } = resolveFlags(await parse(['--model', 'm.safetensors', '--name', 'mnist']));
  assert.equal(source, { kind: 'file', name: 'mnist', path: 'm.safetensors' });
  assert.equal(options, { ...DEFAULTS, apiKey: options.apiKey });
  assert.equal([options.port, options.host, options.batching.maxBatchSize], [8501, '127.0.0.1', 64]);
});

t('numbers are checked, and the model flags must make one source', async () => {
  assert.match(await rejection(parse(['--model-base-path', 'm', '--port', 'http'])), /--port <n>' argument 'http' is invalid. expected an integer >= 0/);
  assert.match(await rejection(parse(['--model-base-path', 'm', '--max-batch-size', '0'])), /expected an integer >= 1, got '0'/);
  assert.match(await rejection(parse(['--model-base-path', 'm', '--backend', 'tpu'])), /Allowed choices are webgpu, cpu/);
  const reason = async (args: string[]) => { try { resolveFlags(await parse(args)); return ''; } catch (e) { return (e as Error).message; } };
  assert.is(await reason([]), 'give --model FILE --name NAME, or --model-base-path DIR');
  assert.is(await reason(['--model', 'a', '--model-base-path', 'b']), 'give --model FILE --name NAME, or --model-base-path DIR');
  assert.is(await reason(['--model', 'a']), '--model needs --name (the NAME in /v1/models/NAME)');
  assert.match(await reason(['--model-base-path', 'b', '--name', 'x']), /^--name goes with --model/);
});

t('the API key comes from --api-key-file, else DAWNGRAD_API_KEY; an empty one is refused', async () => {
  const saved = process.env.DAWNGRAD_API_KEY;
  try {
    delete process.env.DAWNGRAD_API_KEY;
    assert.is(resolveFlags(await parse(['--model-base-path', 'm'])).options.apiKey, null);
    process.env.DAWNGRAD_API_KEY = ' from-env \n';
    assert.is(resolveFlags(await parse(['--model-base-path', 'm'])).options.apiKey, 'from-env');
    writeFileSync(join(dir, 'key'), 'from-file\n');
    assert.is(resolveFlags(await parse(['--model-base-path', 'm', '--api-key-file', join(dir, 'key')])).options.apiKey, 'from-file');
    writeFileSync(join(dir, 'empty'), '\n');
    const emptyKey = await parse(['--model-base-path', 'm', '--api-key-file', join(dir, 'empty')]);
    assert.throws(() => resolveFlags(emptyKey), /the API key in '.*empty' is empty/);
  } finally {
    if (saved === undefined) delete process.env.DAWNGRAD_API_KEY;
    else process.env.DAWNGRAD_API_KEY = saved;
  }
});

t("deploy/'s arguments are flags dawngrad serve defines, and listen on every interface", async () => {
  const dockerCmd = /^CMD (\[.*\])$/m.exec(readFileSync(join(deploy, 'Dockerfile'), 'utf8'));
  assert.ok(dockerCmd, 'the Dockerfile has a CMD');
  const argLists: string[][] = [JSON.parse(dockerCmd[1]!) as string[]];
  for (const file of ['kubernetes/deployment.yaml', 'kserve/inferenceservice.yaml']) {
    const text = JSON.stringify(parseAllDocuments(readFileSync(join(deploy, file), 'utf8')).map((d) => d.toJS()));
    for (const m of text.matchAll(/"args":(\[[^\]]*\])/g)) argLists.push(JSON.parse(m[1]!) as string[]);
  }
  assert.ok(argLists.length >= 3, `found ${argLists.length} argument lists`);
  for (const args of argLists) {
    const { options, source } = resolveFlags(await parse(args));
    assert.is(source.kind, 'base', args.join(' '));
    assert.is(options.host, '0.0.0.0', args.join(' '));
  }
});

t.run();
