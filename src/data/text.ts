// Text to integer sequences, in the manner of Keras' Tokenizer and pad_sequences: lower-cased
// word tokens, ids by descending frequency (ties: first seen first), id 0 reserved for padding,
// id 1 for out-of-vocabulary words, and a cap on the vocabulary size.

export interface TokenizerOptions {
  /** Keep ids below numWords (so numWords is the Embedding size); default: no cap. */
  numWords?: number;
  /** The token out-of-vocabulary words map to (id 1); null drops them instead. */
  oovToken?: string | null;
  lower?: boolean;
}

/** Words are runs of letters, digits and apostrophes (Unicode-aware); everything else separates. */
export function words(text: string, lower = true): string[] {
  if (typeof text !== 'string') throw new Error(`words: expected a string, got ${text === null ? 'null' : typeof text}`);
  return (lower ? text.toLowerCase() : text).match(/[\p{L}\p{N}']+/gu) ?? [];
}

export class Tokenizer {
  readonly numWords: number;
  readonly oovToken: string | null;
  readonly lower: boolean;
  /** Word -> id, starting at 1 (the OOV token first when there is one). Covers every word seen. */
  readonly wordIndex = new Map<string, number>();
  readonly wordCounts = new Map<string, number>();

  constructor(options: TokenizerOptions = {}) {
    this.numWords = options.numWords ?? Infinity;
    const minimum = options.oovToken === null ? 1 : 2;
    if (!(this.numWords >= minimum) || (Number.isFinite(this.numWords) && !Number.isInteger(this.numWords))) {
      throw new Error(`Tokenizer: numWords must be an integer >= ${minimum} (padding${minimum === 2 ? ' and OOV' : ''} take ids 0${minimum === 2 ? ' and 1' : ''}), got ${options.numWords}`);
    }
    this.oovToken = options.oovToken === undefined ? '<OOV>' : options.oovToken;
    this.lower = options.lower ?? true;
  }

  /** Counts words and rebuilds the index; call once with the whole training corpus. */
  fitOnTexts(texts: Iterable<string>): this {
    for (const t of texts) for (const w of words(t, this.lower)) this.wordCounts.set(w, (this.wordCounts.get(w) ?? 0) + 1);
    // Array.sort is stable, so equal counts keep first-seen order (Map iteration order).
    const ranked = [...this.wordCounts].sort((a, b) => b[1] - a[1]).map(([w]) => w);
    this.wordIndex.clear();
    if (this.oovToken !== null) this.wordIndex.set(this.oovToken, 1);
    for (const w of ranked) if (!this.wordIndex.has(w)) this.wordIndex.set(w, this.wordIndex.size + 1);
    return this;
  }

  /** The number of ids sequences can hold (0 included): the Embedding layer's numEmbeddings. */
  get vocabSize(): number {
    return Math.min(this.numWords, this.wordIndex.size + 1);
  }

  textToSequence(text: string): number[] {
    const oov = this.oovToken === null ? undefined : this.wordIndex.get(this.oovToken);
    const out: number[] = [];
    for (const w of words(text, this.lower)) {
      const id = this.wordIndex.get(w);
      if (id !== undefined && id < this.numWords) out.push(id);
      else if (oov !== undefined) out.push(oov);
    }
    return out;
  }

  textsToSequences(texts: readonly string[]): number[][] {
    return texts.map((t) => this.textToSequence(t));
  }
}

export interface PadOptions {
  /** Every row gets this length. */
  maxLen: number;
  /** Where padding goes (Keras' default: 'pre', which keeps a sequence's end next to an RNN's output). */
  padding?: 'pre' | 'post';
  /** Which end is cut from a longer sequence (Keras' default: 'pre'). */
  truncating?: 'pre' | 'post';
  value?: number;
}

/** Sequences padded/truncated to one length: an int32 [N, maxLen] array for dg.tensor. */
export function padSequences(sequences: readonly (readonly number[])[], options: PadOptions): { shape: [number, number]; data: Int32Array } {
  const { maxLen, padding = 'pre', truncating = 'pre', value = 0 } = options;
  if (!Number.isInteger(maxLen) || maxLen < 1) throw new Error(`padSequences: maxLen must be a positive integer, got ${maxLen}`);
  for (const [k, v] of [['padding', padding], ['truncating', truncating]] as const) {
    if (v !== 'pre' && v !== 'post') throw new Error(`padSequences: ${k} must be 'pre' or 'post', got '${v}'`);
  }
  const data = new Int32Array(sequences.length * maxLen).fill(value);
  sequences.forEach((seq, i) => {
    const kept = seq.length <= maxLen ? seq : truncating === 'pre' ? seq.slice(seq.length - maxLen) : seq.slice(0, maxLen);
    data.set(kept, i * maxLen + (padding === 'pre' ? maxLen - kept.length : 0));
  });
  return { shape: [sequences.length, maxLen], data };
}
