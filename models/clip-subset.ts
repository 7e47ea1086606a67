/**
 * Dev tool: writes a SUBSET of CLIP's real tokenizer files (vocab.json + merges.txt, real ids,
 * real merge order) that is exact for a list of sentences, so the tokenizer test checks real
 * CLIP token ids without committing the 49,408-entry vocabulary.
 *
 *   npx tsx models/clip-subset.ts <bpe_simple_vocab_16e6.txt.gz> <out-dir> "sentence" ...
 *
 * The input is openai/CLIP's `clip/bpe_simple_vocab_16e6.txt.gz` (MIT); the vocabulary is built
 * from it the way CLIP and Hugging Face build it (byte characters in GPT-2 table order, the same
 * with `</w>`, one entry per merge, then `<|startoftext|>`, `<|endoftext|>` = 49406, 49407).
 * A merge can only ever apply to a word if its joined text is a substring of that word (with
 * `</w>` at the end), so keeping exactly those merges, in their original order, reproduces the
 * full tokenizer on these sentences.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { byteToUnicode, cleanText } from '../bridge-server/src/models/tokenizer';

const PIECE = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+/giu;

function main(): void {
  const [gz, out, ...sentences] = process.argv.slice(2);
  if (!gz || !out || sentences.length === 0) {
    process.stderr.write('usage: npx tsx models/clip-subset.ts <bpe_simple_vocab_16e6.txt.gz> <out-dir> "sentence" ...\n');
    process.exit(2);
  }
  const merges = zlib.gunzipSync(fs.readFileSync(gz)).toString('utf8').split('\n').slice(1, 49152 - 256 - 2 + 1);
  const table = byteToUnicode();
  const printable = (b: number): boolean => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const order = [...Array(256).keys()].filter(printable).concat([...Array(256).keys()].filter((b) => !printable(b)));
  const base = order.map((b) => table[b]!);
  const all = [...base, ...base.map((c) => `${c}</w>`), ...merges.map((m) => m.split(' ').join('')), '<|startoftext|>', '<|endoftext|>'];
  const words = new Set<string>();
  const enc = new TextEncoder();
  for (const s of sentences) {
    for (const m of cleanText(s).matchAll(PIECE)) words.add(`${Array.from(enc.encode(m[0]), (b) => table[b]).join('')}</w>`);
  }
  const inSome = (t: string): boolean => [...words].some((w) => w.includes(t));
  const keptMerges = merges.filter((m) => inSome(m.split(' ').join('')));
  const vocab: Record<string, number> = {};
  all.forEach((t, id) => {
    if (t === '<|startoftext|>' || t === '<|endoftext|>' || inSome(t)) vocab[t] = id;
  });
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'vocab.json'), `${JSON.stringify(vocab)}\n`);
  fs.writeFileSync(path.join(out, 'merges.txt'), `#version: 0.2\n${keptMerges.join('\n')}\n`);
  process.stdout.write(`${Object.keys(vocab).length} vocabulary entries, ${keptMerges.length} merges -> ${out}\n`);
}

main();
