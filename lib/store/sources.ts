/**
 * sources.yaml as kwctl reads it (docs/host-interface.md §7; PF `src/sources.rs`): YAML or JSON, every key optional.
 *
 *   insecure_sources: ["registry.local:5000"]
 *   source_authorities:
 *     "registry.local:5443":
 *       - {type: Path, path: /etc/ssl/private-ca.pem}     # PEM or DER file
 *       - {type: Data, data: "-----BEGIN CERTIFICATE-----\n..."}
 */
import { readRegularFile, type BoundedReadError } from '../base/bounded-read';
import { X509Certificate } from 'node:crypto';
import * as jsyaml from 'js-yaml';
import { PolicyFetchError } from './errors';

export interface Sources {
  /** The file the settings came from, if any. */
  path?: string;
  /** `host[:port]` entries that may fall back to unverified HTTPS and then plain HTTP. */
  insecure: Set<string>;
  /** Extra CA certificates (PEM) per `host[:port]`. */
  authorities: Map<string, string[]>;
}

export const EMPTY_SOURCES: Sources = { insecure: new Set(), authorities: new Map() };

/**
 * Reads sources.yaml. A missing file is fine at the default location (`required: false`) and an error when
 * the user named it (`--sources-path`). Any other problem is an error naming the file.
 */
/** sources.yaml and the certificate files it names are small; anything larger is not one. */
const MAX_SOURCES_BYTES = 16 * 1024 * 1024;

export async function readSources(file: string, required: boolean): Promise<Sources> {
  let text: string;
  try {
    text = (await readRegularFile(file, MAX_SOURCES_BYTES)).toString('utf8');
  } catch (err) {
    const e = err as BoundedReadError;
    if (!required && e.reason === 'not-found') return { ...EMPTY_SOURCES, insecure: new Set(), authorities: new Map() };
    throw new PolicyFetchError(
      `sources file ${file}: cannot read: ${e.reason === 'not-found' ? 'no such file' : e.message}`,
      'config',
    );
  }
  let doc: unknown;
  try {
    doc = jsyaml.load(text, { maxAliases: 100, maxDepth: 100 });
  } catch (err) {
    // The reason and the line only: js-yaml's message quotes the lines around the problem, and this file can hold
    // private CA material or be a file that was never meant to be shown (a mistyped --sources-path).
    const e = err as { reason?: string; mark?: { line?: number } };
    const line = e.mark?.line !== undefined ? `line ${e.mark.line + 1}: ` : '';
    throw new PolicyFetchError(
      `sources file ${file}: not valid YAML: ${line}${e.reason ?? 'cannot be parsed'}`,
      'config',
    );
  }
  return parseSources(doc, file);
}

/** Validates a decoded sources document; certificate files are read relative to the process. */
export async function parseSources(doc: unknown, file: string): Promise<Sources> {
  const fail = (msg: string): never => {
    throw new PolicyFetchError(`sources file ${file}: ${msg}`, 'config');
  };
  const out: Sources = { path: file, insecure: new Set(), authorities: new Map() };
  if (doc === null || doc === undefined) return out;
  if (typeof doc !== 'object' || Array.isArray(doc))
    fail('expected a mapping with insecure_sources and/or source_authorities');
  const d = doc as Record<string, unknown>;
  if (d.insecure_sources !== undefined && d.insecure_sources !== null) {
    if (!Array.isArray(d.insecure_sources) || !d.insecure_sources.every((h) => typeof h === 'string'))
      fail('insecure_sources must be a list of host[:port] strings');
    for (const h of d.insecure_sources as string[]) out.insecure.add(h.trim());
  }
  const sa = d.source_authorities;
  if (sa !== undefined && sa !== null) {
    if (typeof sa !== 'object' || Array.isArray(sa))
      fail('source_authorities must map host[:port] to a list of certificates');
    for (const [host, list] of Object.entries(sa as Record<string, unknown>)) {
      if (!Array.isArray(list))
        fail(`source_authorities.${host} must be a list of {type: Path, path: FILE} or {type: Data, data: PEM}`);
      const pems: string[] = [];
      for (const [i, item] of (list as unknown[]).entries()) {
        const where = `source_authorities.${host}[${i}]`;
        const o = (item ?? {}) as Record<string, unknown>;
        const type = o.type ?? (o.path !== undefined ? 'Path' : o.data !== undefined ? 'Data' : undefined);
        let raw: Buffer;
        if (type === 'Path' && typeof o.path === 'string') {
          try {
            raw = await readRegularFile(o.path, MAX_SOURCES_BYTES);
          } catch (err) {
            const e = err as BoundedReadError;
            return fail(
              `${where}: cannot read certificate ${o.path}: ${e.reason === 'not-found' ? 'no such file' : e.message}`,
            );
          }
        } else if (type === 'Data' && typeof o.data === 'string') {
          raw = Buffer.from(o.data, 'utf8');
        } else {
          return fail(`${where}: expected {type: Path, path: FILE} or {type: Data, data: PEM}`);
        }
        try {
          pems.push(...certificatesToPem(raw));
        } catch (err) {
          fail(`${where}: ${(err as Error).message}`);
        }
      }
      out.authorities.set(host.trim(), pems);
    }
  }
  return out;
}

/** PEM (one or more certificates) or DER → PEM certificates, each checked to parse. */
export function certificatesToPem(raw: Buffer): string[] {
  const text = raw.toString('latin1');
  if (text.includes('-----BEGIN CERTIFICATE-----')) {
    const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
    if (blocks.length === 0) throw new Error('certificate is not in PEM nor in DER encoding');
    return blocks.map((b) => {
      try {
        return new X509Certificate(b).toString();
      } catch (err) {
        throw new Error(`invalid PEM certificate: ${(err as Error).message}`);
      }
    });
  }
  try {
    return [new X509Certificate(raw).toString()];
  } catch {
    throw new Error('certificate is not in PEM nor in DER encoding');
  }
}

/** Both sets of sources: insecure hosts of either, and every certificate authority of both per host. */
export function mergeSources(a: Sources, b: Sources): Sources {
  const authorities = new Map(a.authorities);
  for (const [host, pems] of b.authorities) authorities.set(host, [...(authorities.get(host) ?? []), ...pems]);
  return { ...(a.path ? { path: a.path } : {}), insecure: new Set([...a.insecure, ...b.insecure]), authorities };
}

export function isInsecure(sources: Sources, hostPort: string): boolean {
  return sources.insecure.has(hostPort);
}
