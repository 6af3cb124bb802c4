// The one wording of a bad embedding index, shared by both backends (the cpu one throws it at
// once; the webgpu one finds it on the device and throws it at the next read).
export function embeddingIndexError(index: number, position: number, rows: number): Error {
  return new Error(
    `embedding: index ${index} at position ${position} of the indices is out of range for a weight with ` +
    `${rows} embeddings (expected 0 <= index < ${rows})`);
}
