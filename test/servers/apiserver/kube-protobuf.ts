/**
 * kubectl's typed clients (`auth can-i`, `auth whoami`, `create namespace`) send Kubernetes protobuf: the "k8s\0"
 * magic, a runtime.Unknown envelope, then the typed message. This decodes just those messages into their JSON shape;
 * field numbers are the ones in k8s.io/api/{authorization,core}/v1 and apimachinery meta/v1 generated.proto.
 */
export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export class ProtobufError extends Error {}

type Fields = Map<number, Array<Buffer | number>>;

function varint(buf: Buffer, at: { pos: number }): number {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (at.pos >= buf.length) throw new ProtobufError('truncated varint');
    const b = buf[at.pos++];
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return result;
    shift += 7;
    if (shift > 63) throw new ProtobufError('varint too long');
  }
}

/** One message's fields by number; length-delimited values as bytes, varints as numbers. */
function fields(buf: Buffer): Fields {
  const out: Fields = new Map();
  const at = { pos: 0 };
  while (at.pos < buf.length) {
    const tag = varint(buf, at);
    const field = Math.floor(tag / 8);
    let value: Buffer | number;
    switch (tag & 7) {
      case 0:
        value = varint(buf, at);
        break;
      case 2: {
        const len = varint(buf, at);
        if (at.pos + len > buf.length) throw new ProtobufError('truncated field');
        value = buf.subarray(at.pos, at.pos + len);
        at.pos += len;
        break;
      }
      case 1:
        value = 0;
        at.pos += 8;
        break;
      case 5:
        value = 0;
        at.pos += 4;
        break;
      default:
        throw new ProtobufError(`unsupported wire type ${tag & 7}`);
    }
    const list = out.get(field);
    if (list) list.push(value);
    else out.set(field, [value]);
  }
  return out;
}

const bytes = (f: Fields, n: number): Buffer | undefined => {
  const v = f.get(n)?.at(-1);
  return Buffer.isBuffer(v) ? v : undefined;
};
const str = (f: Fields, n: number): string | undefined => bytes(f, n)?.toString('utf8');
const strs = (f: Fields, n: number): string[] =>
  (f.get(n) ?? []).filter(Buffer.isBuffer).map((b) => b.toString('utf8'));

function compact<T extends object>(o: T): T {
  return Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0)),
  ) as T;
}

function resourceAttributes(b: Buffer | undefined): object | undefined {
  if (!b) return undefined;
  const f = fields(b);
  return compact({
    namespace: str(f, 1),
    verb: str(f, 2),
    group: str(f, 3),
    version: str(f, 4),
    resource: str(f, 5),
    subresource: str(f, 6),
    name: str(f, 7),
  });
}

function nonResourceAttributes(b: Buffer | undefined): object | undefined {
  if (!b) return undefined;
  const f = fields(b);
  return compact({ path: str(f, 1), verb: str(f, 2) });
}

const EMPTY = Buffer.alloc(0);

/** The envelope: apiVersion and kind, and the fields of the typed message inside. */
function unwrap(body: Buffer): { apiVersion?: string; kind?: string; message: Fields } {
  if (!body.subarray(0, 4).equals(MAGIC)) throw new ProtobufError('missing the k8s protobuf magic prefix');
  const unknown = fields(body.subarray(4));
  const typeMeta = fields(bytes(unknown, 1) ?? EMPTY);
  return { apiVersion: str(typeMeta, 1), kind: str(typeMeta, 2), message: fields(bytes(unknown, 2) ?? EMPTY) };
}

/** map<string, string> entries: key = 1, value = 2. */
function stringMap(f: Fields, n: number): Record<string, string> | undefined {
  const entries = (f.get(n) ?? []).filter(Buffer.isBuffer).map((b) => fields(b));
  if (entries.length === 0) return undefined;
  return Object.fromEntries(entries.map((e) => [str(e, 1) ?? '', str(e, 2) ?? '']));
}

/** The ObjectMeta fields a client sets on create: name, generateName, namespace, labels, annotations, finalizers. */
function objectMeta(b: Buffer | undefined): Record<string, unknown> {
  const f = fields(b ?? EMPTY);
  return compact({
    name: str(f, 1),
    generateName: str(f, 2),
    namespace: str(f, 3),
    labels: stringMap(f, 11),
    annotations: stringMap(f, 12),
    finalizers: strs(f, 14),
  });
}

/** The JSON form of a protobuf-encoded Namespace (metadata and spec.finalizers). */
export function decodeNamespace(body: Buffer): object {
  const { apiVersion, kind, message } = unwrap(body);
  const finalizers = strs(fields(bytes(message, 2) ?? EMPTY), 1);
  return {
    apiVersion,
    kind,
    metadata: objectMeta(bytes(message, 1)),
    ...(finalizers.length ? { spec: { finalizers } } : {}),
  };
}

/** The JSON form of a protobuf-encoded Self/Local/SubjectAccessReview request body. */
export function decodeReview(body: Buffer): object {
  const { apiVersion, kind, message } = unwrap(body);
  const spec = fields(bytes(message, 2) ?? EMPTY);
  return {
    apiVersion,
    kind,
    metadata: objectMeta(bytes(message, 1)),
    spec: compact({
      resourceAttributes: resourceAttributes(bytes(spec, 1)),
      nonResourceAttributes: nonResourceAttributes(bytes(spec, 2)),
      user: str(spec, 3),
      groups: strs(spec, 4),
      uid: str(spec, 6),
    }),
  };
}
