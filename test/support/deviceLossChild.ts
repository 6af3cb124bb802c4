// Run by test/runtime-faults.test.ts in a process of its own (destroying the engine's device
// would take it from every other test): loses the device, then shows dg.init() recovers.
import * as dg from '../../src/index.js';
import { getBackend } from '../../src/core/engine.js';
import type { WebGpuBackend } from '../../src/backend/webgpu/index.js';

await dg.init({ backend: 'webgpu' });
const old = dg.tensor([1, 2, 3]);
await old.data();
const lostDevice = (getBackend() as WebGpuBackend).rt.device;
lostDevice.destroy();
await lostDevice.lost;
const errorOf = async (p: Promise<unknown>) => p.then(() => '', (e: Error) => e.message);
const oldRead = await errorOf(old.data());
await dg.init();
const fresh = (getBackend() as WebGpuBackend).rt.device !== lostDevice;
const sum = Array.from(await dg.tensor([1, 2, 3]).add(1).data());
console.log(JSON.stringify({ oldRead, fresh, sum, oldAgain: await errorOf(old.data()) }));
