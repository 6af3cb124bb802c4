// The op table (test/support/opCases.ts): every differentiable op once, with awkward shapes.
// Each row is checked three ways: webgpu forward and gradients against the cpu reference, and a float64
// finite-difference gradient check on the cpu reference.
import { suite } from 'uvu';
import { checkGpuMatchesCpu, gradCheck, hasWebGpu } from './support/compare.js';
import { OP_CASES } from './support/opCases.js';
import { webgpuTest } from './support/webgpu.js';

await hasWebGpu();

const forward = suite('ops: webgpu matches the cpu reference');
for (const c of OP_CASES) {
  webgpuTest(forward)(c.name, async () => {
    await checkGpuMatchesCpu(c.inputs, c.fn, c.name, c.differentiable !== false);
  });
}
forward.run();

const grads = suite('ops: float64 finite-difference gradients on the cpu reference');
for (const c of OP_CASES.filter((x) => x.differentiable !== false)) {
  grads(c.name, async () => {
    await gradCheck(c.gradInputs ?? c.inputs, c.fn, c.name);
  });
}
grads.run();
