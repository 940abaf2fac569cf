// The V8 code cache `npm run build` ships beside the CLI bundle (cmd/code-cache-loader.ts) must be one a fresh
// process accepts: a cache made under other V8 flags than a fresh process has (the cache-writing `check` run sets
// --heap-growing-percent, lib/base/heap-growth.ts) is rejected, and every run compiles the 2.3 MB bundle again.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../support/cli';

const BUNDLE = path.join(ROOT, 'dist', 'kubectl-wasmpolicy-main.cjs');

/** Compiles the bundle as the loader does, with the shipped cache, in a plain process; prints what V8 said. */
const PROBE = `
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const { Script } = require('node:vm');
const file = process.argv[1];
const script = new Script(Module.wrap(readFileSync(file, 'utf8')), {
  filename: file,
  cachedData: readFileSync(file + '.codecache'),
});
process.stdout.write(script.cachedDataRejected ? 'rejected' : 'accepted');
`;

describe('the shipped V8 code cache', function () {
  this.timeout(60_000);

  it('is accepted by a fresh process of this Node.js', function () {
    assert.ok(existsSync(`${BUNDLE}.codecache`), 'npm run build writes dist/kubectl-wasmpolicy-main.cjs.codecache');
    // A coverage run's NODE_V8_COVERAGE would make V8 refuse any cache: the probe runs as users run the CLI.
    const env = { ...process.env };
    delete env.NODE_V8_COVERAGE;
    delete env.NODE_OPTIONS;
    const r = spawnSync(process.execPath, ['-e', PROBE, BUNDLE], { env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'accepted');
  });
});
