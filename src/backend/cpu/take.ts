// Reference row gather (shaders/take.wgsl): out-of-range indices give zero rows.
export function takeRows<A extends Float64Array | Int32Array>(src: A, rowSize: number, indices: Int32Array, out: A): void {
  const rows = rowSize === 0 ? 0 : src.length / rowSize;
  indices.forEach((r, i) => {
    if (r < 0 || r >= rows) return;
    out.set(src.subarray(r * rowSize, (r + 1) * rowSize), i * rowSize);
  });
}
