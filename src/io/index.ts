// dg.io: safetensors files, in memory and on disk.
export { saveSafetensors, loadSafetensors, toTensors, encodeTensors, type NamedTensors } from './tensorFile.js';
export type { SafetensorsInput } from './input.js';
export { save, load, loadStateDict, ARCHITECTURE_KEY, INPUT_KEY, UNREGISTERED_KEY, TRAINING_KEY, TRAINING_PREFIX, type SaveOptions } from './model.js';
export {
  decodeSafetensors, encodeSafetensors, readSafetensorsFile, writeSafetensorsFile, openSafetensorsFile, READ_CHUNK_BYTES,
  type HostTensor, type LoadedTensor, type Safetensors, type TensorSource, type EncodeOptions,
  type WritableTensor, type ReadOptions, type OpenOptions, type SafetensorsReader,
} from './safetensors.js';
export { type SafeDType, SAFE_DTYPES, type FloatWriteDType } from './dtypes.js';
export type { TensorEntry } from './header.js';
export { writeFileAtomic, removeStaleTemporaries } from './atomicWrite.js';
