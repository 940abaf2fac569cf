// The bundled policies rebuilt with another AssemblyScript runtime, to measure what the guest's garbage
// collector costs per evaluation. Writes DIR/<name>.wasm with the metadata of dist/plugins/<name>.wasm; run the
// bench on them with KUBECTL_WASMPOLICY_PLUGINS_DIR=DIR. Verdicts must not change (the bench prints summaries).
// Run: npm run build && node --import tsx bench/asc-runtime.ts DIR [minimal|stub|incremental]
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readU32, replaceCustomSection, sections } from '../lib/wasm/binary';
// @ts-expect-error plain ESM build script
import { ASC_FLAGS, compilePlugin } from '../plugins/build.mjs';

const METADATA_SECTION = 'io.kubewarden.metadata';
const RUNTIMES = ['incremental', 'minimal', 'stub'];
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const [out, runtime = 'minimal'] = process.argv.slice(2);
if (!out || !RUNTIMES.includes(runtime)) throw new Error(`usage: asc-runtime.ts DIR [${RUNTIMES.join('|')}]`);

/** The payload of the module's metadata section (after its name). */
function metadataPayload(bytes: Uint8Array): Uint8Array {
  const s = sections(bytes).find((x) => x.id === 0 && x.name === METADATA_SECTION);
  if (!s) throw new Error(`no ${METADATA_SECTION} section`);
  const [len, p] = readU32(bytes, s.body);
  return bytes.subarray(p + len, s.end);
}

const flags = (ASC_FLAGS as string[]).map((f, i, all) => (all[i - 1] === '--runtime' ? runtime : f));
const dist = path.join(root, 'dist', 'plugins');
mkdirSync(out, { recursive: true });
for (const file of readdirSync(dist).filter((f) => f.endsWith('.wasm') && !f.endsWith('.raw.wasm'))) {
  const name = file.slice(0, -'.wasm'.length);
  const raw = (await compilePlugin(name, { flags })) as Uint8Array;
  writeFileSync(
    path.join(out, file),
    replaceCustomSection(raw, METADATA_SECTION, metadataPayload(readFileSync(path.join(dist, file)))),
  );
  process.stderr.write(`${name}: --runtime ${runtime}\n`);
}
