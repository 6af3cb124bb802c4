// dg.io: safetensors files, in memory and on disk.
export { saveSafetensors, loadSafetensors, toTensors, encodeTensors, type NamedTensors } from './tensorFile.js';
export type { SafetensorsInput } from './input.js';
export { save, load, loadStateDict, ARCHITECTURE_KEY, INPUT_KEY, type SaveOptions } from './model.js';
export {
  decodeSafetensors, encodeSafetensors, readSafetensorsFile, writeSafetensorsFile,
  type HostTensor, type LoadedTensor, type Safetensors, type TensorSource, type EncodeOptions,
} from './safetensors.js';
export { type SafeDType, SAFE_DTYPES, type FloatWriteDType } from './dtypes.js';
export { writeFileAtomic } from './atomicWrite.js';
