/**
 * Content negotiation. Everything is answered as plain JSON, so a client must accept it: an Accept header that only
 * names protobuf, YAML or Table output gets 406, where a real server would send a format this one cannot write.
 */
import { ApiError } from './status';

interface MediaRange {
  type: string;
  params: Map<string, string>;
}

function parseAccept(accept: string): MediaRange[] {
  return accept.split(',').map((entry) => {
    const [type, ...params] = entry.split(';').map((s) => s.trim());
    return {
      type: type.toLowerCase(),
      params: new Map(params.map((p) => p.split('=').map((s) => s.trim()) as [string, string])),
    };
  });
}

const plainJson = (m: MediaRange): boolean =>
  m.type === '*/*' || m.type === 'application/*' || (m.type === 'application/json' && !m.params.has('as'));

export function acceptsPlainJson(accept: string | undefined): boolean {
  return accept === undefined || accept.trim() === '' || parseAccept(accept).some(plainJson);
}

const metadataList = (m: MediaRange): boolean =>
  m.type === 'application/json' &&
  m.params.get('as') === 'PartialObjectMetadataList' &&
  m.params.get('g') === 'meta.k8s.io' &&
  m.params.get('v') === 'v1';

/**
 * Whether a list is to be answered as a meta.k8s.io/v1 PartialObjectMetadataList (metadata only): the first media
 * range this server can write decides, as the real server takes the client's order (apiserver
 * `endpoints/handlers/negotiation`). Clients name plain JSON after it for servers that cannot.
 */
export function wantsMetadataList(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  return (
    parseAccept(accept)
      .find((m) => metadataList(m) || plainJson(m))
      ?.params.get('as') === 'PartialObjectMetadataList'
  );
}

export const notAcceptable = (): ApiError =>
  new ApiError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message:
      'only the following media types are accepted: application/json (the test API server writes no other format)',
    reason: 'NotAcceptable',
    code: 406,
  });
