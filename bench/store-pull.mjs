// Pull time, cold (empty store: connect, manifest, blob, verify, atomic write) vs cached (store copy reused),
// against the real registry (Debian docker-registry) on loopback, over plain HTTP (an insecure source) and
// over TLS with a private CA (source_authorities). Library level (resolvePolicy) and end to end (the CLI).
// Run: npm run build && node --import tsx bench/store-pull.mjs   (RUNS=15 by default; medians in ms)
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolvePolicy } from '../lib/store/fetch.ts';
import { pushPolicy } from '../lib/store/push.ts';
import { resetConnections } from '../lib/net/http.ts';
import { testHome } from '../test/servers/registry/env.ts';
import { makePki } from '../test/servers/registry/pki.ts';
import { startRegistry } from '../test/servers/registry/registry.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin/kubectl-wasmpolicy.cjs');
const RUNS = Number(process.env.RUNS ?? 15);
const WASM = readFileSync(path.join(ROOT, 'dist/plugins/pss-privileged.wasm'));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (n) => n.toFixed(n < 10 ? 2 : 1);

async function measure(label, reg, sources) {
  const ref = `registry://${reg.host}/bench/pss-privileged:v1`;
  const setup = testHome('wasmpolicy-bench-');
  setup.writeSources(sources);
  await pushPolicy(WASM, ref, { env: setup.env });
  const cold = [];
  const cached = [];
  for (let i = 0; i < RUNS; i++) {
    const h = testHome('wasmpolicy-bench-');
    h.writeSources(sources);
    resetConnections();
    let t = process.hrtime.bigint();
    const a = await resolvePolicy(ref, { env: h.env });
    cold.push(Number(process.hrtime.bigint() - t) / 1e6);
    t = process.hrtime.bigint();
    const b = await resolvePolicy(ref, { env: h.env });
    cached.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (a.fromCache || !b.fromCache) throw new Error('unexpected cache state');
  }
  const cliCold = [];
  const cliCached = [];
  for (let i = 0; i < RUNS; i++) {
    const h = testHome('wasmpolicy-bench-');
    h.writeSources(sources);
    for (const [list, pull] of [
      [cliCold, 'always'],
      [cliCached, 'missing'],
    ]) {
      const t = process.hrtime.bigint();
      const r = spawnSync(process.execPath, [CLI, 'pull', ref, '--pull', pull], { env: h.env, encoding: 'utf8' });
      list.push(Number(process.hrtime.bigint() - t) / 1e6);
      if (r.status !== 0) throw new Error(r.stderr);
    }
  }
  return [label, ms(median(cold)), ms(median(cached)), ms(median(cliCold)), ms(median(cliCached))];
}

/** Node start-up plus loading the bundle: what every CLI run pays before the store does anything. */
function cliBaseline() {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    spawnSync(process.execPath, [CLI, 'version'], { encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return ms(median(times));
}

const version = execFileSync('/usr/bin/docker-registry', ['--version'], { encoding: 'utf8' }).trim();
const plain = await startRegistry();
const pki = makePki(testHome('wasmpolicy-bench-pki-').dir);
const tls = await startRegistry({ tls: { cert: pki.serverCert, key: pki.serverKey } });
try {
  const rows = [
    await measure('HTTP, insecure source', plain, { insecure_sources: [plain.host] }),
    await measure('TLS, source_authorities', tls, {
      source_authorities: { [tls.host]: [{ type: 'Path', path: pki.caPem }] },
    }),
  ];
  const baseline = cliBaseline();
  console.log(
    `${version}; Node ${process.version}; module ${WASM.length} bytes; ${RUNS} runs; load average ${loadavg()[0].toFixed(1)}; CLI start-up (\`version\`) ${baseline} ms`,
  );
  console.log('| registry | library cold | library cached | CLI `pull` cold | CLI `pull --pull missing` cached |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const r of rows) console.log(`| ${r[0]} | ${r[1]} ms | ${r[2]} ms | ${r[3]} ms | ${r[4]} ms |`);
} finally {
  await plain.stop();
  await tls.stop();
}
