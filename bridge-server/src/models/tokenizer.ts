/**
 * CLIP's byte-level BPE tokenizer (the tokenizer of SD-1.5's text encoder), in plain TypeScript,
 * reading the two files every Optimum / diffusers SD export ships in its `tokenizer/` folder:
 * `vocab.json` (token string -> id, 49,408 entries for CLIP ViT-L/14) and `merges.txt` (one
 * "left right" merge per line, in priority order, after a `#version` header line).
 *
 * Steps, as CLIP defines them (openai/CLIP `simple_tokenizer.py`, Hugging Face `CLIPTokenizer`):
 * 1. clean: Unicode NFC, every whitespace run -> one space, trim, lower-case;
 * 2. pre-split with CLIP's pattern (special tokens, the contractions 's 't 're 've 'm 'll 'd,
 *    runs of letters, single digits, runs of other non-space characters);
 * 3. map each piece's UTF-8 bytes to printable characters (GPT-2's byte-to-unicode table);
 * 4. BPE: start from single characters with `</w>` glued to the last one, repeatedly merge the
 *    adjacent pair with the lowest merge rank until no pair has a rank;
 * 5. look every resulting symbol up in the vocabulary.
 * The prompt is `[BOS] tokens [EOS]`, truncated so EOS survives, padded to `maxLength`.
 *
 * Not done: ftfy's mojibake repair and HTML-entity unescaping (CLIP's `basic_clean`); text typed
 * as an edit intent does not contain either.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ModelManifest } from './manifest';

/** Tokenizer settings from a manifest. */
export type TokenizerSpec = NonNullable<ModelManifest['tokenizer']>;

/** Thrown when tokenizer files are missing or malformed, or disagree with the manifest. */
export class TokenizerError extends Error {
  readonly code = 'tokenizer_invalid' as const;
  constructor(message: string) {
    super(message);
    this.name = 'TokenizerError';
  }
}

const BOS_TOKEN = '<|startoftext|>';
const EOS_TOKEN = '<|endoftext|>';
const PIECE = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+/giu;

let byteChars: string[] | undefined;
/** GPT-2/CLIP byte -> printable character table (printable Latin-1 bytes map to themselves). */
export function byteToUnicode(): string[] {
  if (byteChars) return byteChars;
  const keep = (b: number): boolean => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const out = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) out[b] = String.fromCodePoint(keep(b) ? b : 256 + extra++);
  byteChars = out;
  return out;
}

/** CLIP's text cleaning: NFC, collapsed whitespace, trimmed, lower-case. */
export function cleanText(text: string): string {
  return text.normalize('NFC').replace(/\s+/gu, ' ').trim().toLowerCase();
}

/** A loaded CLIP BPE tokenizer. */
export class ClipTokenizer {
  readonly bos: number;
  readonly eos: number;
  private readonly ranks = new Map<string, number>();
  private readonly cache = new Map<string, string[]>();
  private readonly encoder = new TextEncoder();

  /** `vocab`: token -> id; `merges`: the text of merges.txt. */
  constructor(private readonly vocab: Map<string, number>, merges: string) {
    const bos = vocab.get(BOS_TOKEN), eos = vocab.get(EOS_TOKEN);
    if (bos === undefined || eos === undefined) throw new TokenizerError(`vocab.json lacks ${bos === undefined ? BOS_TOKEN : EOS_TOKEN}`);
    this.bos = bos;
    this.eos = eos;
    let rank = 0;
    for (const raw of merges.split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('#version')) continue;
      const parts = line.split(' ');
      if (parts.length !== 2) throw new TokenizerError(`merges.txt: line "${line.slice(0, 40)}" is not "left right"`);
      this.ranks.set(`${parts[0]} ${parts[1]}`, rank++);
    }
    if (rank === 0) throw new TokenizerError('merges.txt has no merges');
  }

  /** Number of vocabulary entries. */
  get vocabSize(): number {
    return this.vocab.size;
  }

  /** BPE symbols of one pre-split piece (already byte-mapped). */
  private bpe(piece: string): string[] {
    const hit = this.cache.get(piece);
    if (hit) return hit;
    const chars = Array.from(piece);
    let word = chars.slice(0, -1).concat(`${chars[chars.length - 1]}</w>`);
    while (word.length > 1) {
      let best = -1, bestRank = Infinity;
      for (let i = 0; i + 1 < word.length; i++) {
        const r = this.ranks.get(`${word[i]} ${word[i + 1]}`);
        if (r !== undefined && r < bestRank) { bestRank = r; best = i; }
      }
      if (best < 0) break;
      const a = word[best]!, b = word[best + 1]!, merged: string[] = [];
      for (let i = 0; i < word.length;) {
        if (i + 1 < word.length && word[i] === a && word[i + 1] === b) { merged.push(a + b); i += 2; } else merged.push(word[i++]!);
      }
      word = merged;
    }
    this.cache.set(piece, word);
    return word;
  }

  /** Token ids of `text` without BOS/EOS. Symbols missing from the vocabulary become EOS (CLIP's unknown token). */
  encode(text: string): number[] {
    const table = byteToUnicode(), out: number[] = [];
    for (const m of cleanText(text).matchAll(PIECE)) {
      const piece = m[0];
      if (piece === BOS_TOKEN || piece === EOS_TOKEN) { out.push(this.vocab.get(piece)!); continue; }
      let mapped = '';
      for (const byte of this.encoder.encode(piece)) mapped += table[byte];
      for (const sym of this.bpe(mapped)) out.push(this.vocab.get(sym) ?? this.eos);
    }
    return out;
  }

  /** `[BOS] tokens [EOS]`, cut so EOS stays the last real token, padded with `pad` to `maxLength`. */
  tokenize(text: string, maxLength: number, pad = this.eos): Int32Array {
    const body = this.encode(text).slice(0, Math.max(0, maxLength - 2));
    const ids = new Int32Array(maxLength).fill(pad);
    ids[0] = this.bos;
    ids.set(body, 1);
    ids[body.length + 1] = this.eos;
    return ids;
  }
}

/** Paths of the tokenizer files of an installed model (`<model dir>/tokenizer/...`). */
export function tokenizerPaths(modelDir: string, spec: TokenizerSpec): { vocab: string; merges: string } {
  return { vocab: path.join(modelDir, ...spec.files.vocab.split('/')), merges: path.join(modelDir, ...spec.files.merges.split('/')) };
}

/**
 * Read and check `vocab.json` + `merges.txt` against the manifest's tokenizer settings (BOS/EOS
 * ids and vocabulary size). Throws {@link TokenizerError} naming the file and the problem.
 */
export function loadClipTokenizer(files: { vocab: string; merges: string }, spec: TokenizerSpec): ClipTokenizer {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(files.vocab, 'utf8'));
  } catch (e) {
    throw new TokenizerError(`${files.vocab}: ${(e as Error).message}`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new TokenizerError(`${files.vocab}: expected an object of token -> id`);
  const vocab = new Map<string, number>();
  for (const [k, v] of Object.entries(json as Record<string, unknown>)) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new TokenizerError(`${files.vocab}: id of "${k}" is not a non-negative integer`);
    vocab.set(k, v);
  }
  let merges: string;
  try {
    merges = fs.readFileSync(files.merges, 'utf8');
  } catch (e) {
    throw new TokenizerError(`${files.merges}: ${(e as Error).message}`);
  }
  const tok = new ClipTokenizer(vocab, merges);
  const problems: string[] = [];
  if (tok.bos !== spec.bos) problems.push(`${BOS_TOKEN} is ${tok.bos}, the manifest says ${spec.bos}`);
  if (tok.eos !== spec.eos) problems.push(`${EOS_TOKEN} is ${tok.eos}, the manifest says ${spec.eos}`);
  if (tok.vocabSize !== spec.vocabSize) problems.push(`${tok.vocabSize} entries, the manifest says ${spec.vocabSize}`);
  if (problems.length) throw new TokenizerError(`${files.vocab} does not match the manifest: ${problems.join('; ')}`);
  return tok;
}

/** The empty prompt (`[BOS] [EOS] pad…`), used when no tokenizer files are installed. */
export function emptyPrompt(spec: TokenizerSpec): Int32Array {
  const ids = new Int32Array(spec.maxLength).fill(spec.pad);
  ids[0] = spec.bos;
  ids[1] = spec.eos;
  return ids;
}
