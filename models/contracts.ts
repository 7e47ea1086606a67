/**
 * The real models' published signatures (models/contracts/real-models.json), independent of the manifests:
 * the tiny test models are generated from them, and {@link checkManifestAgainstContract} tells
 * where a manifest disagrees with the real export.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FileRole, ModelManifest, TensorRole, TensorSpec } from '../bridge-server/src/models/manifest';

/** One tensor of a real model: accepted names, dtypes and shapes (first = current export). */
export interface ContractTensor {
  role: TensorRole;
  names: string[];
  dtypes: ('float32' | 'uint8' | 'int32' | 'int64')[];
  shapes: (number | string)[][];
  /** Value range of an image tensor. */
  range?: [number, number];
  /** Mask values meaning "fill here" and "keep". */
  mask?: { hole: number; keep: number };
}

/** One real model. */
export interface ModelContract {
  title: string;
  sources: string[];
  confidence: string;
  facts: Record<string, number | string>;
  files: Partial<Record<FileRole, { inputs: ContractTensor[]; outputs: ContractTensor[] }>>;
}

/** Path of models/contracts/real-models.json. */
export const CONTRACTS_FILE = path.join(__dirname, 'contracts', 'real-models.json');

/** Every contract, by manifest id. */
export function loadContracts(file = CONTRACTS_FILE): Record<string, ModelContract> {
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { models: Record<string, ModelContract> }).models;
}

/** The contract tensor with `role` on one side of a file; throws when the contract lacks it. */
export function contractTensor(c: ModelContract, role: FileRole, side: 'inputs' | 'outputs', tensorRole: TensorRole): ContractTensor {
  const t = c.files[role]?.[side].find((x) => x.role === tensorRole);
  if (!t) throw new Error(`contract ${c.title}: no ${side.slice(0, -1)} with role ${tensorRole} in ${role}`);
  return t;
}

/** A manifest dim accepts a real dim: equal fixed sizes; a real symbolic dim takes any size we feed; a manifest symbol binds anything. */
const dimFits = (manifest: number | string, real: number | string): boolean =>
  typeof manifest === 'string' || typeof real === 'string' || manifest === real;

/**
 * Where `m` disagrees with the real model `c` (empty list: it agrees). Checked per file and
 * tensor role: every name, dtype and shape the real exports use must be accepted by the
 * manifest; value ranges, mask values and the fixed working size must match.
 */
export function checkManifestAgainstContract(m: ModelManifest, c: ModelContract): string[] {
  const out: string[] = [];
  const fileRoles = Object.keys(c.files) as FileRole[];
  const mRoles = m.files.map((f) => f.role);
  if ([...fileRoles].sort().join() !== [...mRoles].sort().join()) out.push(`${m.id}: files ${mRoles.join(', ')}, real export ${fileRoles.join(', ')}`);
  for (const f of m.files) {
    const real = c.files[f.role];
    if (!real) continue;
    for (const side of ['inputs', 'outputs'] as const) {
      const where = `${m.id}/${f.name} ${side.slice(0, -1)}`;
      if (f[side].length !== real[side].length) out.push(`${where}s: ${f[side].length} in the manifest, ${real[side].length} in the real export`);
      for (const r of real[side]) {
        const t: TensorSpec | undefined = f[side].find((x) => x.role === r.role);
        if (!t) { out.push(`${where} with role ${r.role}: missing`); continue; }
        const names = [t.name, ...t.altNames];
        for (const n of r.names) if (!names.includes(n)) out.push(`${where} ${r.role}: real name "${n}" not accepted (manifest: ${names.join(', ')})`);
        const dtypes: string[] = Array.isArray(t.dtype) ? t.dtype : [t.dtype];
        for (const d of r.dtypes) if (!dtypes.includes(d)) out.push(`${where} ${r.role}: real dtype ${d} not accepted (manifest: ${dtypes.join(', ')})`);
        const shapes = [t.shape, ...t.altShapes];
        for (const rs of r.shapes) {
          if (!shapes.some((ms) => ms.length === rs.length && ms.every((d, i) => dimFits(d, rs[i]!)))) {
            out.push(`${where} ${r.role}: real shape ${JSON.stringify(rs)} not accepted (manifest: ${shapes.map((s) => JSON.stringify(s)).join(' or ')})`);
          }
        }
      }
    }
  }
  // Pixel conventions (inpaint: the inpaint file; refine: the VAE's pixel tensors).
  const pre = m.preprocessing;
  const [imgFile, outFile, imgRole, outRole] = m.task === 'inpaint'
    ? ['inpaint', 'inpaint', 'image', 'result'] as const
    : ['vae_encoder', 'vae_decoder', 'pixels', 'pixels'] as const;
  const img = c.files[imgFile]?.inputs.find((x) => x.role === imgRole);
  const res = c.files[outFile]?.outputs.find((x) => x.role === outRole);
  if (img?.range && img.range.join() !== pre.imageRange.join()) out.push(`${m.id}: imageRange ${JSON.stringify(pre.imageRange)}, real ${JSON.stringify(img.range)}`);
  if (res?.range && res.range.join() !== pre.outputRange.join()) out.push(`${m.id}: outputRange ${JSON.stringify(pre.outputRange)}, real ${JSON.stringify(res.range)}`);
  const mask = c.files.inpaint?.inputs.find((x) => x.role === 'mask')?.mask;
  if (mask && (pre.mask?.hole !== mask.hole || pre.mask?.keep !== mask.keep)) out.push(`${m.id}: mask ${JSON.stringify(pre.mask)}, real ${JSON.stringify(mask)}`);
  if (typeof c.facts.workingSize === 'number' && c.facts.workingSize !== pre.size) out.push(`${m.id}: size ${pre.size}, real working size ${c.facts.workingSize}`);
  if (m.diffusion) {
    for (const k of ['latentFactor', 'latentChannels', 'latentScale'] as const) {
      if (c.facts[k] !== undefined && c.facts[k] !== m.diffusion[k]) out.push(`${m.id}: diffusion.${k} ${m.diffusion[k]}, real ${c.facts[k]}`);
    }
  }
  if (m.tokenizer) {
    const pairs = [['maxLength', 'tokenizerMaxLength'], ['bos', 'bos'], ['eos', 'eos'], ['vocabSize', 'vocabSize']] as const;
    for (const [k, fk] of pairs) if (c.facts[fk] !== undefined && c.facts[fk] !== m.tokenizer[k]) out.push(`${m.id}: tokenizer.${k} ${m.tokenizer[k]}, real ${c.facts[fk]}`);
  }
  return out;
}
