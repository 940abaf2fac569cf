/** Test certificates made with the openssl CLI: a CA, a server certificate for localhost/127.0.0.1 and a token signer. */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export interface TestPki {
  dir: string;
  caPem: string;
  caDer: string;
  serverCert: string;
  serverKey: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A CA and a server certificate it signed, valid for DNS:localhost and IP:127.0.0.1. */
export function makePki(dir: string): TestPki {
  openssl(
    [
      'req',
      '-x509',
      ...EC,
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      '/CN=wasmpolicy test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  openssl(['x509', '-in', 'ca.pem', '-outform', 'DER', '-out', 'ca.der'], dir);
  openssl(['req', '-new', ...EC, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
  writeFileSync(
    path.join(dir, 'server.ext'),
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n',
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.pem',
      '-days',
      '2',
      '-extfile',
      'server.ext',
    ],
    dir,
  );
  return {
    dir,
    caPem: path.join(dir, 'ca.pem'),
    caDer: path.join(dir, 'ca.der'),
    serverCert: path.join(dir, 'server.pem'),
    serverKey: path.join(dir, 'server.key'),
  };
}

/** A self-signed certificate whose key signs registry tokens (the registry's rootcertbundle). */
export function makeTokenSigner(dir: string): { cert: string; key: string; certPem: string; keyPem: string } {
  openssl(
    [
      'req',
      '-x509',
      ...EC,
      '-keyout',
      'token.key',
      '-out',
      'token.pem',
      '-days',
      '2',
      '-subj',
      '/CN=wasmpolicy test token issuer',
    ],
    dir,
  );
  return {
    cert: path.join(dir, 'token.pem'),
    key: path.join(dir, 'token.key'),
    certPem: readFileSync(path.join(dir, 'token.pem'), 'utf8'),
    keyPem: readFileSync(path.join(dir, 'token.key'), 'utf8'),
  };
}
