// One dawngrad column (`--column dawngrad-webgpu` or `dawngrad-cpu`) in its own process.
import * as dgModule from '../src/index.js';
import { backendNamed } from '../src/core/engine.js';
import type { WebGpuBackend } from '../src/backend/webgpu/index.js';
import { type Dg, missingNames, type Tensor } from './api.js';
import { type Lib, runColumn } from './column.js';
import { adapterInfo, parseRunnerArgs, writeColumn } from './runner-args.js';

const args = parseRunnerArgs(process.argv.slice(2));
const backend = args.column === 'dawngrad-cpu' ? 'cpu' : 'webgpu';
// The workloads are typed against the API contract, including ops that may not have landed;
// `missingNames` checks each workload's needs at run time before it is called.
const dg = dgModule as unknown as Dg;
await dg.init({ backend });
const gpu = backend === 'webgpu' ? (await backendNamed('webgpu')) as WebGpuBackend : null;

const lib: Lib<Tensor> = {
  instance(w) {
    const missing = missingNames(dgModule, w.needs);
    return missing.length > 0 ? { missing } : w.dawngrad(dg);
  },
  tidy: (fn) => dg.tidy(fn),
  hostOnly: backend === 'cpu',
  first: (t) => t.reshape([-1]).narrow(0, 0, 1),
  async read(t) {
    await t.data();
    t.dispose();
  },
  counters: gpu ? () => ({ ...gpu.rt.stats }) : undefined,
};

const rows = await runColumn(lib, args.workloads, args, (line) => console.log(`[${args.column}] ${line}`));
writeColumn(args, rows, gpu ? adapterInfo(gpu.rt.gpu.adapter.info) : undefined);
