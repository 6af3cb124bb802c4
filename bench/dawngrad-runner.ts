// One dawngrad column (`--column dawngrad-webgpu` or `dawngrad-cpu`) in its own process.
import * as dg from '../src/index.js';
import { backendNamed } from '../src/core/engine.js';
import type { WebGpuBackend } from '../src/backend/webgpu/index.js';
import type { Tensor } from './api.js';
import { type FmaCeiling, measureFmaCeiling } from './ceiling.js';
import { type Lib, runColumn } from './column.js';
import { adapterInfo, parseRunnerArgs, writeColumn } from './runner-args.js';

const args = parseRunnerArgs(process.argv.slice(2));
const backend = args.column === 'dawngrad-cpu' ? 'cpu' : 'webgpu';
await dg.init({ backend });
const gpu = backend === 'webgpu' ? (await backendNamed('webgpu')) as WebGpuBackend : null;

const lib: Lib<Tensor> = {
  instance: (w) => w.dawngrad(dg),
  tidy: (fn) => dg.tidy(fn),
  hostOnly: backend === 'cpu',
  first: (t) => t.reshape([-1]).narrow(0, 0, 1),
  async read(t) {
    await t.data();
    t.dispose();
  },
  counters: gpu ? () => ({ ...gpu.rt.stats }) : undefined,
};

const log = (line: string) => console.log(`[${args.column}] ${line}`);
let ceiling: FmaCeiling | undefined;
if (gpu) {
  // Measured in this column's process, right before its workloads, so it sees the same load.
  try {
    ceiling = await measureFmaCeiling(gpu.rt, { targetMs: args.quick ? 10 : 200, reps: args.quick ? 2 : 5 });
    log(`FMA ceiling (shaders/fma_ceiling.wgsl): ${ceiling.gflops.toFixed(1)} GFLOPS (${ceiling.iterations} iterations x ${ceiling.invocations} invocations in ${ceiling.ms.toFixed(1)} ms)`);
  } catch (e) {
    log(`FMA ceiling: not measured (${(e as Error).message.split('\n')[0]})`);
  }
}
const rows = await runColumn(lib, args.workloads, args, log);
writeColumn(args, rows, gpu ? adapterInfo(gpu.rt.gpu.adapter.info) : undefined, ceiling);
