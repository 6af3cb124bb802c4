// The op table's embedding rows (spread into OP_CASES, run by test/ops.test.ts): dg.embedding's
// row gather and its scatter-add gradient. Every row looks up more indices than the table has
// rows, so indices repeat and their gradients must accumulate.
import * as dg from '../../src/index.js';
import type { InputSpec } from './compare.js';
import type { OpCase } from './opCases.js';

const indices = (max: number, ...shape: number[]): InputSpec => ({ shape, dtype: 'int32', max });
const weight = (...shape: number[]): InputSpec => ({ shape });

export const EMBEDDING_CASES: OpCase[] = [
  { name: 'embedding indices [3, 5] into an 11 x 7 table', inputs: [indices(11, 3, 5), weight(11, 7)],
    gradInputs: [indices(4, 2, 5), weight(4, 3)], fn: (idx, w) => dg.embedding(idx, w) },
  { name: 'embedding 211 indices into a 37 x 67 table (several workgroups)', inputs: [indices(37, 211), weight(37, 67)], finiteDifferences: false,
    fn: (idx, w) => dg.embedding(idx, w) },
  { name: 'embedding one index, one column', inputs: [indices(1, 1), weight(1, 1)], finiteDifferences: false, fn: (idx, w) => dg.embedding(idx, w) },
  { name: 'embedding indices [2, 3, 4] into a 5 x 3 table', inputs: [indices(5, 2, 3, 4), weight(5, 3)], finiteDifferences: false,
    fn: (idx, w) => dg.embedding(idx, w) },
  // The padding row's gradient is zero while the loss still depends on it, so finite differences
  // run on the masked row below.
  { name: 'embedding paddingIdx 2: 40 indices into a 6 x 5 table', inputs: [indices(6, 40), weight(6, 5)], finiteDifferences: false,
    fn: (idx, w) => dg.embedding(idx, w, { paddingIdx: 2 }) },
  { name: 'embedding paddingIdx -1 (the last row): indices [3, 7] into a 4 x 9 table', inputs: [indices(4, 3, 7), weight(4, 9)], finiteDifferences: false,
    fn: (idx, w) => dg.embedding(idx, w, { paddingIdx: -1 }) },
  // With padding positions masked out of the loss (as models use padding), the true gradient of
  // the padding row is zero too, so finite differences check every row, paddingIdx set.
  { name: 'embedding paddingIdx 1, padding positions masked out of the loss', inputs: [indices(4, 3, 5), weight(4, 3)],
    fn: (idx, w) => dg.embedding(idx, w, { paddingIdx: 1 }).mul(dg.ne(idx, 1).unsqueeze(-1)) },
];
