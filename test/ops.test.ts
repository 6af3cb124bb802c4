// The op table (test/support/opCases.ts, which spreads in the kernel families' ./*Cases.ts):
// every op once, with awkward shapes, in one case format. Each row is checked three ways: webgpu
// forward and gradients against the cpu reference, and a float64 finite-difference gradient
// check on the cpu reference.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkGpuMatchesCpu, gradCheck, hasWebGpu } from './support/compare.js';
import { OP_CASES } from './support/opCases.js';
import { webgpuTest } from './support/webgpu.js';

await hasWebGpu();

const table = suite('ops: the table');
// uvu reports a failure by its name, so two rows of one name could not be told apart.
table('every row has a name of its own', () => {
  const seen = new Set<string>();
  assert.equal(OP_CASES.map((c) => c.name).filter((name) => seen.size === seen.add(name).size), []);
});
table.run();

const forward = suite('ops: webgpu matches the cpu reference');
for (const c of OP_CASES) {
  webgpuTest(forward)(c.name, async () => {
    await checkGpuMatchesCpu(c.inputs, c.fn, c.name, c.differentiable !== false);
  });
}
forward.run();

const grads = suite('ops: float64 finite-difference gradients on the cpu reference');
for (const c of OP_CASES.filter((x) => x.differentiable !== false && x.finiteDifferences !== false)) {
  grads(c.name, async () => {
    await gradCheck(c.gradInputs ?? c.inputs, c.fn, c.name);
  });
}
grads.run();
