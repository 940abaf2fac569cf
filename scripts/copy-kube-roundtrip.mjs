#!/usr/bin/env node
// Copies the typed round-trip fixtures (kubernetes/api at 10b39a39, testdata/HEAD/: one fully populated object
// of every built-in kind, as the API server's encoder writes it) into test/fixtures/kube-roundtrip/, with the
// Kubernetes LICENSE, so test/unit/apiserver/roundtrip.test.ts runs without the source folder.
//
//   node scripts/copy-kube-roundtrip.mjs <k8s-data-dir>     (the dir holding roundtrip/ and LICENSE)
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const src = process.argv[2];
if (!src) {
  console.error('usage: node scripts/copy-kube-roundtrip.mjs <k8s-data-dir>');
  process.exit(2);
}
const out = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'test', 'fixtures', 'kube-roundtrip');
mkdirSync(out, { recursive: true });
const names = readdirSync(path.join(src, 'roundtrip'))
  .filter((n) => n.endsWith('.json'))
  .sort();
for (const n of names) copyFileSync(path.join(src, 'roundtrip', n), path.join(out, n));
copyFileSync(path.join(src, 'LICENSE'), path.join(out, 'LICENSE'));
writeFileSync(
  path.join(out, 'README.md'),
  `# Typed round-trip fixtures (copied)\n\nOne fully populated object of every built-in group/version/kind, exactly as the Kubernetes API server's\ntyped encoder writes it. From kubernetes/api at commit 10b39a39 (\`testdata/HEAD/\`), Apache-2.0 (see\n\`LICENSE\`). Copied by \`node scripts/copy-kube-roundtrip.mjs <k8s-data-dir>\`; do not edit.\n`,
);
console.log(`${names.length} fixtures → ${path.relative(process.cwd(), out)}`);
