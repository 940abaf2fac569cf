/** Client certificates for the server's certificate auth mode, signed by the test CA with the openssl CLI. */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { TestPki } from '../registry/pki';

export interface ClientCert {
  certFile: string;
  keyFile: string;
}

/** Subject fields are escaped for openssl's `-subj` syntax, where `/`, `=` and `\` are special. */
const escapeSubject = (s: string): string => s.replace(/[\\/=+,]/g, (c) => `\\${c}`);

/** A certificate whose CN is `user` and whose O entries are `groups`, as kube-apiserver maps them. */
export function issueClientCert(pki: TestPki, user: string, groups: readonly string[], name: string): ClientCert {
  const keyFile = path.join(pki.dir, `${name}.key`);
  const csr = path.join(pki.dir, `${name}.csr`);
  const certFile = path.join(pki.dir, `${name}.pem`);
  const ext = path.join(pki.dir, `${name}.ext`);
  const subject = [...groups.map((g) => `/O=${escapeSubject(g)}`), `/CN=${escapeSubject(user)}`].join('');
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: pki.dir, stdio: ['ignore', 'ignore', 'pipe'] });
  run([
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    csr,
    '-subj',
    subject,
    '-multivalue-rdn',
  ]);
  writeFileSync(ext, 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n');
  run([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    pki.caPem,
    '-CAkey',
    path.join(pki.dir, 'ca.key'),
    '-CAcreateserial',
    '-out',
    certFile,
    '-days',
    '2',
    '-extfile',
    ext,
  ]);
  return { certFile, keyFile };
}
