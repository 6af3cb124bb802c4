// Node: the navigator.gpu-like instance from Dawn's Node bindings (the `webgpu` package). The
// browser build swaps in gpuInstance.browser.ts.
import { create, globals } from 'webgpu';

export const NO_ADAPTER_HELP =
  'no WebGPU adapter found. Dawn needs a Vulkan driver: install your GPU vendor\'s driver, or on ' +
  'Debian 12 without one run `sudo bash node_modules/dawngrad/scripts/install-software-vulkan.sh` ' +
  '(Mesa lavapipe, a software Vulkan from bookworm-backports).';

let globalsInstalled = false;

export async function gpuInstance(): Promise<GPU | null> {
  // Mesa logs a warning on every start when XDG_RUNTIME_DIR is unset.
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  if (!globalsInstalled) {
    // GPUBufferUsage, GPUMapMode, ... are globals in browsers; the package ships them separately.
    for (const [k, v] of Object.entries(globals)) {
      if (!(k in globalThis)) Object.defineProperty(globalThis, k, { value: v, configurable: true, writable: true });
    }
    globalsInstalled = true;
  }
  // Dawn rounds timestamps down to 65.5 us by default (a browser's guard against timing
  // attacks); dg.profile times single dispatches of ~20 us, so it needs them exact.
  return create(['disable-dawn-features=timestamp_quantization']) as GPU;
}
