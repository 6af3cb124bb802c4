// A fixture for test/runner.test.ts: one cpu test and one webgpu test, registered the way the
// real suites register them.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../../../src/index.js';
import { backendTest, BACKEND_NAMES } from '../webgpu.js';

const t = suite('runner fixture');
for (const backend of BACKEND_NAMES) {
  backendTest(t, backend)(`${backend}: 1 + 1`, async () => {
    await dg.init({ backend });
    assert.is(await dg.tensor([1]).add(1).item(), 2);
  });
}
t.run();
