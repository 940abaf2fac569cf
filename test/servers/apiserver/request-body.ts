/** Request bodies: read whole (with a cap, as the real server has), then decoded by content type. */
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { decodeNamespace, decodeReview, PROTOBUF_MEDIA_TYPE, ProtobufError } from './kube-protobuf';
import { ApiError, badRequest, unsupportedMediaType } from './status';

const MAX_BODY = 32 * 1024 * 1024;

export interface RawBody {
  bytes: Buffer;
  /** The media type without parameters, lower-cased; "application/json" when the client sent none. */
  mediaType: string;
}

const tooLarge = (): ApiError =>
  new ApiError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'Request entity too large: limit is 33554432',
    reason: 'RequestEntityTooLarge',
    code: 413,
  });

export function readBody(req: IncomingMessage): Promise<RawBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BODY) return reject(tooLarge());
      const mediaType = (req.headers['content-type'] ?? 'application/json').split(';')[0].trim().toLowerCase();
      resolve({ bytes: Buffer.concat(chunks), mediaType });
    });
    req.on('error', reject);
  });
}

/** Media types for create and update bodies, as kube-apiserver lists them. */
export const OBJECT_MEDIA_TYPES = ['application/json', 'application/yaml', PROTOBUF_MEDIA_TYPE] as const;

/** Which built-in bodies this server can decode from protobuf (the ones kubectl's typed clients send). */
const PROTOBUF_DECODERS: Readonly<Record<string, (b: Buffer) => object>> = {
  subjectaccessreviews: decodeReview,
  selfsubjectaccessreviews: decodeReview,
  localsubjectaccessreviews: decodeReview,
  namespaces: decodeNamespace,
  // kubectl auth whoami: the review has no input fields.
  selfsubjectreviews: () => ({}),
};

/**
 * The body as a JSON value. `allowed` lists the media types the request may use (a 415 names them otherwise);
 * protobuf is decoded only for the resources in PROTOBUF_DECODERS, since the server knows no other schemas.
 */
export function decodeBody(body: RawBody, resource: string, allowed: readonly string[] = OBJECT_MEDIA_TYPES): unknown {
  if (!allowed.includes(body.mediaType)) throw unsupportedMediaType(body.mediaType, allowed);
  if (body.mediaType === PROTOBUF_MEDIA_TYPE) {
    const decoder = PROTOBUF_DECODERS[resource];
    if (!decoder)
      throw unsupportedMediaType(
        body.mediaType,
        ['application/json', 'application/yaml'],
        `the test API server decodes protobuf only for ${Object.keys(PROTOBUF_DECODERS).join(', ')}`,
      );
    try {
      return decoder(body.bytes);
    } catch (err) {
      if (err instanceof ProtobufError) throw badRequest(`the protobuf body could not be decoded: ${err.message}`);
      throw err;
    }
  }
  const text = body.bytes.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return body.mediaType === 'application/yaml' ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw badRequest(
      `the request body is not valid ${body.mediaType === 'application/yaml' ? 'YAML' : 'JSON'}: ${(err as Error).message}`,
    );
  }
}
