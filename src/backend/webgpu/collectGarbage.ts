// A full garbage collection on demand, for the one resource V8 cannot see.
//
// WebGPU has no destroy() for bind groups: Dawn frees one (and, on Vulkan, its descriptor set)
// only when its JavaScript wrapper is collected. The wrappers are tiny, so V8 sees no reason
// to collect them, while each pins native memory: on Mesa lavapipe one 4 KiB mapping per
// descriptor set, and a process may hold only ~65 000 mappings (vm.max_map_count). A training
// loop whose buffers change from step to step (a BiLSTM over 200 steps creates ~900 new bind
// groups per batch) reached that limit within one epoch and died in vkCreateDescriptorPool
// (SIGSEGV). Freed descriptor sets are reused, so collecting now and then bounds the count.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collector: (() => void) | null | undefined;

/** Runs a full collection: global.gc under --expose-gc, else one obtained from V8 at runtime. */
export function collectGarbage(): void {
  if (collector === undefined) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed) {
      collector = exposed;
    } else {
      try {
        // Exposes gc to contexts created from now on; this process's main context is unchanged.
        setFlagsFromString('--expose-gc');
        collector = runInNewContext('gc') as () => void;
      } catch {
        // A runtime without V8 flags: nothing to do but rely on the collector's own timing.
        collector = null;
      }
    }
  }
  collector?.();
}
