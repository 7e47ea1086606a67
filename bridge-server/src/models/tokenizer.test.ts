/**
 * The CLIP BPE tokenizer against real CLIP token ids. The fixture (models/fixtures/clip-bpe-subset)
 * is the part of CLIP's real vocab.json/merges.txt these sentences touch (real ids, real merge
 * order; written by models/clip-subset.ts from openai/CLIP's BPE file), and the expected ids are
 * published outputs of the reference tokenizers:
 * - "a photo of a cat" / "a photo of a dog": elixir-nx/bumblebee test/bumblebee/text/clip_tokenizer_test.exs
 *   (openai/clip-vit-base-patch32, the same tokenizer as SD-1.5's openai/clip-vit-large-patch14);
 * - "Hello, world!" and the others: parity tests of independent CLIP tokenizer ports against
 *   Hugging Face's CLIPTokenizer, checked here on the full 49,408-entry vocabulary as well.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { byteToUnicode, cleanText, emptyPrompt, loadClipTokenizer, TokenizerError, type TokenizerSpec } from './tokenizer';

const FIXTURE = path.resolve(__dirname, '../../../models/fixtures/clip-bpe-subset');
const files = { vocab: path.join(FIXTURE, 'vocab.json'), merges: path.join(FIXTURE, 'merges.txt') };
const subsetSize = Object.keys(JSON.parse(fs.readFileSync(files.vocab, 'utf8'))).length;
const spec: TokenizerSpec = {
  kind: 'clip-bpe', files: { vocab: 'tokenizer/vocab.json', merges: 'tokenizer/merges.txt' },
  maxLength: 77, bos: 49406, eos: 49407, pad: 49407, vocabSize: subsetSize,
};
const tok = loadClipTokenizer(files, spec);
const head = (text: string, n: number): number[] => Array.from(tok.tokenize(text, 77)).slice(0, n);

test.each([
  ['a photo of a cat', [49406, 320, 1125, 539, 320, 2368, 49407]],
  ['a photo of a dog', [49406, 320, 1125, 539, 320, 1929, 49407]],
  ['A PHOTO of  a Cat!', [49406, 320, 1125, 539, 320, 2368, 256, 49407]],
  ['Hello, world!', [49406, 3306, 267, 1002, 256, 49407]],
  ["don't stop 42 times", [49406, 847, 713, 1691, 275, 273, 1661, 49407]],
  ['hello-world, 3.14 (test)', [49406, 3306, 268, 1002, 267, 274, 269, 272, 275, 263, 1628, 264, 49407]],
  ['caf\u00e9 \u00fcber na\u00efve', [49406, 15304, 6522, 1516, 1097, 35689, 563, 49407]],
  ['  spaced   out  ', [49406, 10336, 538, 620, 49407]],
  ['', [49406, 49407]],
])('%j gives CLIP\'s ids', (text, want) => {
  const ids = tok.tokenize(text, 77);
  expect(ids.length).toBe(77);
  expect(Array.from(ids.slice(0, want.length))).toEqual(want);
  expect(ids.slice(want.length).every((v) => v === 49407)).toBe(true); // SD-1.5 pads with <|endoftext|>
});

test('two intents give different ids; the empty prompt is [BOS, EOS, pad...]', () => {
  const a = head('move the cup to the left', 10), b = head('make the tower taller', 10);
  expect(a).not.toEqual(b);
  expect(a[0]).toBe(49406);
  expect(Array.from(emptyPrompt(spec))).toEqual(Array.from(tok.tokenize('', 77)));
});

test('an over-long prompt is cut so that EOS stays the last token', () => {
  const ids = tok.tokenize(Array(200).fill('cat').join(' '), 77);
  expect(ids[0]).toBe(49406);
  expect(ids[76]).toBe(49407);
  expect(Array.from(ids.slice(1, 76)).every((v) => v === 2368)).toBe(true);
});

test('the byte table is a bijection onto 256 printable characters; cleaning collapses whitespace', () => {
  const t = byteToUnicode();
  expect(new Set(t).size).toBe(256);
  expect(t[0x61]).toBe('a');
  expect(t[0x20]).toBe('\u0120'); // space -> 'Ġ', as in GPT-2 / CLIP
  expect(cleanText('  A\tB\n\nC ')).toBe('a b c');
});

test('files that disagree with the manifest, or are missing, are refused with the file named', () => {
  expect(() => loadClipTokenizer(files, { ...spec, bos: 1 })).toThrow(/<\|startoftext\|> is 49406, the manifest says 1/);
  expect(() => loadClipTokenizer(files, { ...spec, vocabSize: 49408 })).toThrow(new RegExp(`${subsetSize} entries, the manifest says 49408`));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-tok-'));
  fs.writeFileSync(path.join(dir, 'vocab.json'), '["not", "an", "object"]');
  expect(() => loadClipTokenizer({ vocab: path.join(dir, 'vocab.json'), merges: files.merges }, spec)).toThrow(TokenizerError);
  expect(() => loadClipTokenizer({ vocab: path.join(dir, 'nope.json'), merges: files.merges }, spec)).toThrow(/nope\.json/);
  fs.rmSync(dir, { recursive: true, force: true });
});
