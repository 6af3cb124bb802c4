// A page: the browser's own navigator.gpu (absent where WebGPU is off or unsupported).
import type * as node from './gpuInstance.js';

export const NO_ADAPTER_HELP: typeof node.NO_ADAPTER_HELP =
  'no WebGPU adapter found: this browser has no navigator.gpu or gave no adapter. Use a browser ' +
  'with WebGPU (Chrome/Edge 113+, Safari 26+, Firefox 141+ on Windows), served over https or localhost.';

export const gpuInstance: typeof node.gpuInstance = async () =>
  (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu ?? null;
