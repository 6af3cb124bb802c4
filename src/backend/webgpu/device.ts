// Acquires the adapter and device from the environment's GPU instance (gpuInstance.ts).
import { gpuInstance } from './gpuInstance.js';

export interface Gpu {
  /** navigator.gpu, or Dawn's equivalent from create([]). Kept for the whole process: if only the
   *  device were referenced, garbage collection could free Dawn's instance under it. */
  gpu: GPU;
  adapter: GPUAdapter;
  device: GPUDevice;
}

const keepAlive: Gpu[] = [];

/** Returns null when no adapter exists (rather than throwing) so callers can fall back. */
export async function requestGpu(): Promise<Gpu | null> {
  const gpu = await gpuInstance();
  if (!gpu) return null;
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
