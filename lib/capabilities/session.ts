import { promises as fs } from 'node:fs';
import * as jsyaml from 'js-yaml';
import { HostCallError } from './errors';
import type { CallbackRequest } from './requests';

/** Answers one request that needs I/O: the bytes for the guest, or a HostCallError. */
export type CapabilityBackend = (req: CallbackRequest) => Promise<Uint8Array>;

type SessionResponse = { type: 'Success'; payload: string } | { type: 'Error'; message: string };

/** One entry of a kwctl host-capabilities session file. */
export interface Exchange {
  type: 'Exchange';
  /** The request as serde_yaml writes policy-evaluator's CallbackRequestType: `!Variant` then its fields. */
  request: string;
  response: SessionResponse;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * The request's fields as kwctl writes them: certificate bytes as lists of numbers (serde's Vec<u8>), and can_i's
 * review as the Kubernetes SubjectAccessReview object policy-evaluator builds (k8s-openapi field order).
 */
function requestFields(req: CallbackRequest): Record<string, unknown> {
  const { type: _type, ...fields } = req;
  if (req.type === 'KubernetesCanI') {
    const r = req.subject_access_review;
    const a = r.resourceAttributes;
    const attrs = Object.fromEntries(
      (['group', 'name', 'namespace', 'resource', 'subresource', 'verb', 'version'] as const)
        .filter((k) => a[k] !== undefined)
        .map((k) => [k, a[k]]),
    );
    const spec = { ...(r.groups.length > 0 ? { groups: r.groups } : {}), resourceAttributes: attrs, user: r.user };
    return {
      subject_access_review: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', metadata: {}, spec },
      disable_cache: req.disable_cache,
    };
  }
  return JSON.parse(
    JSON.stringify(fields, (_k, v: unknown) => (v instanceof Uint8Array ? Array.from(v) : v)),
  ) as Record<string, unknown>;
}

/** `!Variant\nfield: value\n...`, the YAML kwctl stores as the request text. */
export function requestYaml(req: CallbackRequest): string {
  const body = jsyaml.dump(requestFields(req), { lineWidth: -1, noRefs: true });
  return `!${req.type}\n${body}`;
}

/** Splits a stored request into its variant tag and fields. */
function parseRequestYaml(text: string): { tag: string; fields: Record<string, unknown> } | string {
  const m = /^!([A-Za-z0-9]+)[ \t]*(?:\n|$)/.exec(text);
  if (!m) return 'the request does not start with a !Variant tag';
  try {
    const v = jsyaml.load(text.slice(m[0].length));
    return { tag: m[1], fields: v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {} };
  } catch (err) {
    return `the request is not valid YAML: ${(err as Error).message}`;
  }
}

/**
 * Nulls and newer fields this host does not model (`field_masks`, which policy-evaluator accepts but does not use)
 * do not make two requests different.
 */
function comparable(fields: Record<string, unknown>): string {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(fields).sort()) {
    if (k === 'field_masks' || fields[k] === null || fields[k] === undefined) continue;
    out[k] = fields[k];
  }
  return JSON.stringify(out, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/** Wraps a backend and keeps every exchange, to be written as a kwctl session file at the end of the run. */
export class SessionRecorder {
  private readonly exchanges: Exchange[] = [];

  constructor(private readonly inner: CapabilityBackend) {}

  readonly backend: CapabilityBackend = async (req) => {
    const request = requestYaml(req);
    try {
      const bytes = await this.inner(req);
      this.exchanges.push({ type: 'Exchange', request, response: { type: 'Success', payload: dec.decode(bytes) } });
      return bytes;
    } catch (err) {
      if (err instanceof HostCallError)
        this.exchanges.push({ type: 'Exchange', request, response: { type: 'Error', message: err.message } });
      throw err;
    }
  };

  get count(): number {
    return this.exchanges.length;
  }

  toYaml(): string {
    return '---\n' + jsyaml.dump(this.exchanges, { lineWidth: -1, noRefs: true });
  }

  async save(file: string): Promise<void> {
    // A recording holds what the cluster and registries answered: readable by its owner only.
    await fs.writeFile(file, this.toYaml(), { mode: 0o600 });
    await fs.chmod(file, 0o600);
  }
}

export class SessionFileError extends Error {
  override name = 'SessionFileError';
}

/** Reads a kwctl session file; a file that is not one is a SessionFileError naming what is wrong. */
export async function readSession(file: string): Promise<Exchange[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new SessionFileError(
      `${file}: cannot read: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
    );
  }
  return parseSession(text, file);
}

export function parseSession(text: string, file: string): Exchange[] {
  let doc: unknown;
  try {
    doc = jsyaml.load(text);
  } catch (err) {
    throw new SessionFileError(`${file}: not valid YAML: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return [];
  if (!Array.isArray(doc)) throw new SessionFileError(`${file}: a session is a YAML list of exchanges`);
  return doc.map((e, i): Exchange => {
    const where = `${file}: exchange ${i + 1}`;
    const x = e as Record<string, unknown> | null;
    if (!x || typeof x !== 'object' || x.type !== 'Exchange')
      throw new SessionFileError(`${where}: needs type: Exchange`);
    if (typeof x.request !== 'string') throw new SessionFileError(`${where}: request must be a string`);
    const parsed = parseRequestYaml(x.request);
    if (typeof parsed === 'string') throw new SessionFileError(`${where}: ${parsed}`);
    const r = x.response as Record<string, unknown> | null;
    if (r && r.type === 'Success' && typeof r.payload === 'string')
      return { type: 'Exchange', request: x.request, response: { type: 'Success', payload: r.payload } };
    if (r && r.type === 'Error' && typeof r.message === 'string')
      return { type: 'Exchange', request: x.request, response: { type: 'Error', message: r.message } };
    throw new SessionFileError(
      `${where}: response must be {type: Success, payload: <string>} or {type: Error, message: <string>}`,
    );
  });
}

/**
 * Answers from a recorded session, strictly in order as kwctl does: each request must be the next one recorded.
 * A mismatch or a request past the end is a host error saying what was expected.
 */
export class SessionReplayer {
  private next = 0;

  constructor(
    private readonly exchanges: Exchange[],
    private readonly file: string,
  ) {}

  readonly backend: CapabilityBackend = async (req) => {
    const asked = requestYaml(req);
    const i = this.next;
    if (i >= this.exchanges.length)
      return this.fail(
        `${this.file}: the session has ${this.exchanges.length} exchange(s) and the policy asked for one more: ${oneLine(asked)}`,
      );
    const x = this.exchanges[i];
    const recorded = parseRequestYaml(x.request) as { tag: string; fields: Record<string, unknown> };
    if (recorded.tag !== req.type || comparable(recorded.fields) !== comparable(requestFields(req))) {
      return this.fail(
        `${this.file}: exchange ${i + 1} does not match: recorded ${oneLine(x.request)}; the policy asked ${oneLine(asked)}`,
      );
    }
    this.next++;
    if (x.response.type === 'Error') throw new HostCallError(x.response.message);
    return enc.encode(x.response.payload);
  };

  /** Exchanges recorded but never asked for. */
  get unused(): number {
    return this.exchanges.length - this.next;
  }

  private fail(message: string): never {
    throw new HostCallError(`replay: ${message}`);
  }
}

/** `!Variant {field: value, ...}`: a stored request on one line, for messages. */
function oneLine(yaml: string): string {
  const [tag, ...fields] = yaml.trim().split('\n');
  return `${tag} {${fields.map((f) => f.trim()).join(', ')}}`;
}
