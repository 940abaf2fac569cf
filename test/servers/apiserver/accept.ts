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
