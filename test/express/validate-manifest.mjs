// Validates an Adobe Express add-on manifest with Adobe's own validator (npm
// @adobe/ccweb-add-on-manifest, ESM-only, hence this child script). Reads
// {"manifest": {...}, "developer": bool} on stdin; prints the ManifestValidationResult as JSON.
import { AddOnManifestValidator, AddOnManifest } from '@adobe/ccweb-add-on-manifest';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const { manifest, developer } = JSON.parse(input);
const additionalInfo = { sourceId: 'local-dev', privileged: false, isDeveloperAddOn: developer };
const validator = new AddOnManifestValidator();
const result = developer ? validator.validateDeveloperSchema(manifest, additionalInfo) : validator.validateManifestSchema(manifest, additionalInfo);
const created = AddOnManifest.createManifest({ manifest, additionalInfo });
process.stdout.write(JSON.stringify({ ...result, created: created.manifestValidationResult.success, entryPoints: created.manifest ? created.manifest.entryPoints.map((e) => ({ id: e.id, type: e.type, main: e.main, documentSandbox: e.documentSandbox })) : null }));
