// The test runner on a machine without a WebGPU adapter (simulated in a child process by
// pointing the Vulkan loader at a driver manifest that does not exist): a banner, the cpu
// tests run, the webgpu ones counted as skipped, exit 0; and a fast failure where webgpu is
// required (CI=true or DAWNGRAD_REQUIRE_WEBGPU=1).
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const repo = resolve(import.meta.dirname, '..');
const t = suite('test runner without an adapter');

function runRunner(extraEnv: Record<string, string>) {
  const env: NodeJS.ProcessEnv = {
    ...process.env, VK_DRIVER_FILES: '/nonexistent/icd.json', VK_ICD_FILENAMES: '/nonexistent/icd.json',
    DAWNGRAD_TEST_ROOT: join(repo, 'test/support/runner-fixture'), ...extraEnv,
  };
  for (const k of ['CI', 'DAWNGRAD_REQUIRE_WEBGPU', 'DAWNGRAD_TEST_WEBGPU']) if (!(k in extraEnv)) delete env[k];
  const r = spawnSync(join(repo, 'node_modules/.bin/tsx'), [join(repo, 'test/run.ts')], { env, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

t('without an adapter: one banner saying what to install, cpu tests run, webgpu tests skipped and counted, exit 0', () => {
  const { status, out } = runRunner({});
  assert.is(status, 0, out);
  assert.match(out, /NO WebGPU ADAPTER/);
  assert.match(out, /sudo bash scripts\/install-software-vulkan\.sh/);
  assert.is(out.split('NO WebGPU ADAPTER').length - 1, 1, 'the banner is printed once');
  assert.match(out, /^1 passed, 0 failed, 1 skipped$/m);
});

for (const env of [{ CI: 'true' }, { DAWNGRAD_REQUIRE_WEBGPU: '1' }] as Record<string, string>[]) {
  t(`with ${Object.keys(env)[0]} set, a missing adapter fails at once with the same message`, () => {
    const { status, out } = runRunner(env);
    assert.is(status, 1, out);
    assert.match(out, /NO WebGPU ADAPTER/);
    assert.match(out, /requires the webgpu backend/);
    assert.not.match(out, /runner fixture/, 'no test ran');
  });
}

t.run();
