// The release's SHA256SUMS and krew plugin manifest, generated from the archives themselves so the checksums
// always match. `npm run package` calls it; the release pipeline calls it again on the archives of every job.
//
//   node scripts/krew.mjs [--dir dist/release] [--tag vX.Y.Z] [--base-url URL] [--require-signed]
//
// Reads every <dir>/kubectl-wasmpolicy-<os>-<arch>.build.json (written by scripts/package.mjs next to its
// archive), hashes the archive, and writes <dir>/SHA256SUMS and <dir>/krew.yaml: the repository's krew.yaml
// (name, descriptions, caveats, homepage) with the version, and one platform per archive. The URIs are
// <base-url>/<tag>/<archive>, by default the GitHub release of the tag under spec.homepage.
// --require-signed refuses darwin archives that were not code-signed (built on a machine other than macOS).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const KREW_API_VERSION = 'krew.googlecontainertools.github.com/v1alpha2';
/** krew's order of platforms in the generated manifest. */
const PLATFORM_ORDER = ['linux/amd64', 'linux/arm64', 'darwin/amd64', 'darwin/arm64', 'windows/amd64'];

const SEMVER =
  /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
const WINDOWS_FORBIDDEN = [
  'CON',
  'PRN',
  'AUX',
  'NUL',
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((n) => [`COM${n}`, `LPT${n}`]),
];

/**
 * What krew's own validation (internal/index/validation: ValidatePlugin, validatePlatform, validateFiles,
 * validateSelector) and the krew-index review would reject in a plugin manifest; [] when none.
 */
export function krewManifestProblems(m) {
  const p = [];
  if (!m || typeof m !== 'object') return ['not a YAML mapping'];
  if (m.apiVersion !== KREW_API_VERSION)
    p.push(`apiVersion is ${JSON.stringify(m.apiVersion)}, not ${KREW_API_VERSION}`);
  if (m.kind !== 'Plugin') p.push(`kind is ${JSON.stringify(m.kind)}, not Plugin`);
  const name = m.metadata?.name;
  if (typeof name !== 'string' || !/^[\w-]+$/.test(name) || WINDOWS_FORBIDDEN.includes(name.toUpperCase()))
    p.push(`metadata.name ${JSON.stringify(name)} is not a safe plugin name`);
  const s = m.spec ?? {};
  if (typeof s.shortDescription !== 'string' || s.shortDescription === '') p.push('spec.shortDescription is missing');
  else if (/[\r\n]/.test(s.shortDescription)) p.push('spec.shortDescription has a line break');
  if (typeof s.version !== 'string' || !SEMVER.test(s.version))
    p.push(`spec.version ${JSON.stringify(s.version)} is not a semantic version with a v prefix`);
  if (s.homepage !== undefined && !/^https:\/\//.test(s.homepage)) p.push('spec.homepage is not an https URL');
  if (!Array.isArray(s.platforms) || s.platforms.length === 0) p.push('spec.platforms is empty');
  const seen = new Set();
  for (const [i, pl] of (Array.isArray(s.platforms) ? s.platforms : []).entries()) {
    const at = `spec.platforms[${i}]`;
    if (typeof pl.uri !== 'string' || pl.uri === '') p.push(`${at}.uri is not set`);
    else if (!/^https:\/\/\S+$/.test(pl.uri)) p.push(`${at}.uri is not an https URL`);
    if (typeof pl.sha256 !== 'string' || !/^[a-f0-9]{64}$/.test(pl.sha256))
      p.push(`${at}.sha256 does not match ^[a-f0-9]{64}$`);
    if (typeof pl.bin !== 'string' || pl.bin === '') p.push(`${at}.bin is not set`);
    if (pl.files !== undefined) {
      if (!Array.isArray(pl.files) || pl.files.length === 0) p.push(`${at}.files has to be unspecified or non-empty`);
      else for (const f of pl.files) if (!f?.from || !f?.to) p.push(`${at}.files: from and to have to be set`);
    }
    const sel = pl.selector;
    if (!sel || typeof sel !== 'object') p.push(`${at}.selector is missing`);
    else {
      const labels = sel.matchLabels;
      const exprs = sel.matchExpressions;
      if (labels == null && !(Array.isArray(exprs) && exprs.length)) p.push(`${at}.selector is empty`);
      if (labels != null && Object.keys(labels).length === 0)
        p.push(`${at}.selector.matchLabels is specified but empty`);
      if (exprs != null && (!Array.isArray(exprs) || exprs.length === 0))
        p.push(`${at}.selector.matchExpressions is specified but empty`);
      for (const k of [...Object.keys(labels ?? {}), ...(Array.isArray(exprs) ? exprs.map((e) => e.key) : [])]) {
        if (k !== 'os' && k !== 'arch') p.push(`${at}.selector key ${JSON.stringify(k)} is not supported (os, arch)`);
      }
      const key = `${labels?.os}/${labels?.arch}`;
      if (labels && seen.has(key)) p.push(`${at}: a second platform for ${key}`);
      seen.add(key);
    }
  }
  return p;
}

function sha256File(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function writeAtomic(file, text) {
  writeFileSync(`${file}.tmp-${process.pid}`, text);
  renameSync(`${file}.tmp-${process.pid}`, file);
}

/** Writes <dir>/SHA256SUMS and <dir>/krew.yaml from the archives in <dir>; returns their paths. */
export function writeRelease({
  dir,
  tag,
  baseUrl,
  template = path.join(root, 'krew.yaml'),
  requireSigned = false,
} = {}) {
  dir = path.resolve(dir ?? path.join(root, 'dist', 'release'));
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  tag ??= `v${pkg.version}`;
  const builds = readdirSync(dir)
    .filter((f) => /^kubectl-wasmpolicy-[a-z0-9]+-[a-z0-9]+\.build\.json$/.test(f))
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')))
    .sort((a, b) => PLATFORM_ORDER.indexOf(`${a.os}/${a.arch}`) - PLATFORM_ORDER.indexOf(`${b.os}/${b.arch}`));
  if (builds.length === 0) throw new Error(`${dir}: no kubectl-wasmpolicy-*.build.json (run npm run package)`);
  const problems = [];
  for (const b of builds) {
    const file = path.join(dir, b.archive);
    if (!existsSync(file)) problems.push(`${b.archive}: missing`);
    else {
      b.sha256 = sha256File(file);
      if (`v${b.version}` !== tag) problems.push(`${b.archive}: built from version ${b.version}, not ${tag}`);
    }
    if (requireSigned && b.os === 'darwin' && !['ad-hoc', 'developer-id'].includes(b.signed))
      problems.push(
        `${b.archive}: not code-signed (built on ${b.signed === 'unsigned' ? 'a machine other than macOS' : 'unknown'}): build darwin targets on macOS`,
      );
  }
  if (problems.length) throw new Error(problems.join('\n'));

  const sums = path.join(dir, 'SHA256SUMS');
  writeAtomic(sums, builds.map((b) => `${b.sha256}  ${b.archive}\n`).join(''));

  const doc = YAML.parseDocument(readFileSync(template, 'utf8'));
  const m = doc.toJS();
  const homepage = m.spec?.homepage;
  baseUrl ??= `${homepage}/releases/download`;
  m.spec.version = tag;
  m.spec.platforms = builds.map((b) => ({
    selector: { matchLabels: { os: b.os, arch: b.arch } },
    uri: `${baseUrl.replace(/\/+$/, '')}/${tag}/${b.archive}`,
    sha256: b.sha256,
    bin: b.bin,
    files: [b.bin, 'LICENSE', 'LICENSE-nodejs'].map((from) => ({ from, to: '.' })),
  }));
  const invalid = krewManifestProblems(m);
  if (invalid.length) throw new Error(`generated krew manifest is invalid:\n${invalid.join('\n')}`);
  const manifest = path.join(dir, 'krew.yaml');
  const header =
    `# krew plugin manifest for kubectl-wasmpolicy ${tag}: generated by scripts/krew.mjs from the release archives\n` +
    "# (sha256 of each archive) and the repository's krew.yaml. Install without the index:\n" +
    '#   kubectl krew install --manifest=krew.yaml [--archive=kubectl-wasmpolicy-<os>-<arch>.tar.gz]\n';
  writeAtomic(manifest, header + YAML.stringify(m, { lineWidth: 0 }));
  return { sums, manifest, platforms: builds.length, tag };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opts = {};
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split(/=(.*)/s);
    const value = () => inline ?? args[++i];
    if (flag === '--dir') opts.dir = value();
    else if (flag === '--tag') opts.tag = value();
    else if (flag === '--base-url') opts.baseUrl = value();
    else if (flag === '--template') opts.template = value();
    else if (flag === '--require-signed') opts.requireSigned = true;
    else {
      process.stderr.write(`krew: unknown argument ${args[i]}\n`);
      process.exit(2);
    }
  }
  try {
    const r = writeRelease(opts);
    process.stderr.write(
      `krew: ${r.platforms} platform(s), ${r.tag}: wrote ${path.relative(process.cwd(), r.sums)} and ${path.relative(process.cwd(), r.manifest)}\n`,
    );
  } catch (err) {
    process.stderr.write(`krew: error: ${err.message}\n`);
    process.exit(1);
  }
}
