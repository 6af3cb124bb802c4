// Registers the two backends. The same file serves Node and the page: what differs (where
// the GPU instance comes from, how shaders are read) lives in the webgpu backend's leaf
// modules that the browser build swaps for their .browser.ts siblings.
import { CpuBackend } from './cpu/index.js';
import { registerBackend } from './registry.js';
import { NO_ADAPTER_HELP } from './webgpu/gpuInstance.js';
import { WebGpuBackend } from './webgpu/index.js';

registerBackend('cpu', { create: () => new CpuBackend(), unavailable: '' });
registerBackend('webgpu', { create: () => WebGpuBackend.create(), unavailable: NO_ADAPTER_HELP });
