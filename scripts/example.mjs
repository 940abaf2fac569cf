// `npm run example`: check the example workloads with the bundled policies. Exit code 1 (something was
// rejected, which the examples are made to show) counts as success here; 2 does not.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const r = spawnSync(
  process.execPath,
  [
    path.join(root, 'bin/kubectl-wasmpolicy.cjs'),
    'check',
    '-f',
    path.join('manifests', 'examples'),
    ...process.argv.slice(2),
  ],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
process.exit(r.status === 1 ? 0 : (r.status ?? 2));
