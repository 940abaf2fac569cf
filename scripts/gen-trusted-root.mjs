#!/usr/bin/env node
// Writes lib/verification/public-good-trusted-root.json: the Sigstore public-good trusted root (Fulcio CAs,
// Rekor and CT log keys, timestamp authorities) that ships with the tool, so that verification works offline.
// Source: the TUF repository seed that the `@sigstore/tuf` npm package (Apache-2.0) embeds, the same data the
// Sigstore clients start from. Usage: node scripts/gen-trusted-root.mjs [path/to/@sigstore/tuf/seeds.json]
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const seedsPath = process.argv[2] ?? createRequire(import.meta.url).resolve('@sigstore/tuf/seeds.json');
const seeds = JSON.parse(readFileSync(seedsPath, 'utf8'));
const repo = seeds['https://tuf-repo-cdn.sigstore.dev'];
if (!repo?.targets?.['trusted_root.json'])
  throw new Error(`${seedsPath}: no trusted_root.json target for the public-good TUF repository`);
const trustedRoot = JSON.parse(Buffer.from(repo.targets['trusted_root.json'], 'base64').toString('utf8'));
const out = path.join(root, 'lib/verification/public-good-trusted-root.json');
writeFileSync(out, JSON.stringify(trustedRoot, null, 2) + '\n');
console.log(`wrote ${path.relative(root, out)} from ${seedsPath}`);
