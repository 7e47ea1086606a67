/**
 * Prompt tokens for the text encoder.
 *
 * A real SD-1.5 text encoder needs CLIP's byte-level BPE tokenizer: `vocab.json` (49,408 entries)
 * and `merges.txt` from the model's `tokenizer/` folder, lower-casing, the regex pre-split, BPE
 * merges, then `[BOS] tokens [EOS]` padded with EOS (pad 49407) to 77 ids. It is not bundled
 * (it would need those files plus a BPE implementation such as `@huggingface/tokenizers`), so
 * with a `clip-bpe` manifest the refiner uses the EMPTY prompt `[49406, 49407, 49407, ...]`,
 * which is exactly what CLIP produces for "" and is valid unconditional guidance.
 *
 * The `hash-stand-in` kind (tiny test models) hashes each lower-cased word to an id, so the
 * intent text really reaches the tiny text encoder and changes its output.
 */
import { seedFromString } from '../core/random';
import type { ModelManifest } from './manifest';

/** Tokenizer settings from a manifest. */
export type TokenizerSpec = NonNullable<ModelManifest['tokenizer']>;

/** Token ids plus whether the text was actually encoded (false: empty prompt used instead). */
export interface Tokens {
  ids: Int32Array;
  promptUsed: boolean;
}

/** Turn `text` into `maxLength` ids: BOS, tokens, EOS, then padding. */
export function tokenize(text: string, tok: TokenizerSpec): Tokens {
  const ids = new Int32Array(tok.maxLength).fill(tok.pad);
  ids[0] = tok.bos;
  let n = 1;
  const words = text.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  const promptUsed = tok.kind === 'hash-stand-in' && words.length > 0;
  if (promptUsed) {
    const room = Math.max(1, Math.min(tok.bos, tok.eos, tok.pad) - 1);
    for (const w of words) {
      if (n >= tok.maxLength - 1) break;
      ids[n++] = 1 + (seedFromString(w) % room);
    }
  }
  ids[Math.min(n, tok.maxLength - 1)] = tok.eos;
  return { ids, promptUsed };
}
