// Acquires Dawn's adapter and device through the `webgpu` package.
import { create, globals } from 'webgpu';

export interface Gpu {
  /** The navigator.gpu-like object from create([]). Kept for the whole process: if only the
   *  device were referenced, garbage collection could free Dawn's instance under it. */
  gpu: GPU;
  adapter: GPUAdapter;
  device: GPUDevice;
}

const keepAlive: Gpu[] = [];
let globalsInstalled = false;

export const NO_ADAPTER_HELP =
  'no WebGPU adapter found. Dawn needs a Vulkan driver: install your GPU vendor\'s driver, or on ' +
  'Debian 12 without one run `sudo bash node_modules/dawngrad/scripts/install-software-vulkan.sh` ' +
  '(Mesa lavapipe, a software Vulkan from bookworm-backports).';

/** Returns null when no adapter exists (rather than throwing) so callers can fall back. */
export async function requestGpu(): Promise<Gpu | null> {
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
  const gpu = create(['disable-dawn-features=timestamp_quantization']) as GPU;
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return null;
  // Ask for the adapter's own maxima: the defaults (e.g. 128 MiB bindings, 16 KiB shared
  // memory) are lower than what most adapters offer.
  const wanted = [
    'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize',
    'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY',
    'maxStorageBuffersPerShaderStage', 'maxComputeWorkgroupsPerDimension',
  ] as const;
  const requiredLimits: Record<string, number> = {};
  for (const k of wanted) requiredLimits[k] = adapter.limits[k];
  // Timestamp queries cost nothing until a query set is written (only dg.profile writes one).
  const requiredFeatures: GPUFeatureName[] = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  const handle = { gpu, adapter, device };
  keepAlive.push(handle);
  return handle;
}
