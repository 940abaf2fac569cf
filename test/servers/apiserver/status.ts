/** Status bodies and codes exactly as kube-apiserver writes them, so clients see the wire shapes they will meet. */

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: Array<{ reason: string; message: string; field?: string }>;
}

export interface ApiStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  details?: StatusDetails;
  code: number;
}

/** An error the handler turns into a Status response; thrown so deep helpers need not thread results back. */
export class ApiError extends Error {
  constructor(readonly status: ApiStatus) {
    super(status.message);
  }
}

function failure(code: number, reason: string, message: string, details?: StatusDetails): ApiError {
  return new ApiError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  });
}

/** `pods` or `deployments.apps`: how the server names a resource in messages. */
export function qualifiedResource(group: string, resource: string): string {
  return group === '' ? resource : `${resource}.${group}`;
}

export const unauthorized = (): ApiError => failure(401, 'Unauthorized', 'Unauthorized');

export function notFound(group: string, resource: string, name: string): ApiError {
  return failure(404, 'NotFound', `${qualifiedResource(group, resource)} "${name}" not found`, {
    name,
    group: group || undefined,
    kind: resource,
  });
}

/** A path the server does not route (no such group, version or resource). */
export const pathNotFound = (): ApiError =>
  failure(404, 'NotFound', 'the server could not find the requested resource', {});

export function alreadyExists(group: string, resource: string, name: string): ApiError {
  return failure(409, 'AlreadyExists', `${qualifiedResource(group, resource)} "${name}" already exists`, {
    name,
    group: group || undefined,
    kind: resource,
  });
}

export function conflict(group: string, resource: string, name: string): ApiError {
  return failure(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(group, resource)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group: group || undefined, kind: resource },
  );
}

export const badRequest = (message: string): ApiError => failure(400, 'BadRequest', message);

export function invalid(kind: string, group: string, name: string, field: string, message: string): ApiError {
  const gk = group === '' ? kind : `${kind}.${group}`;
  return failure(422, 'Invalid', `${gk} "${name}" is invalid: ${field}: ${message}`, {
    name,
    group: group || undefined,
    kind,
    causes: [{ reason: 'FieldValueInvalid', message, field }],
  });
}

export function methodNotAllowed(
  message = 'the server does not allow this method on the requested resource',
): ApiError {
  return failure(405, 'MethodNotAllowed', message, {});
}

export const expiredContinue = (): ApiError =>
  failure(
    410,
    'Expired',
    'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
  );

export interface ForbiddenAttributes {
  user: string;
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
  name?: string;
}

export function forbidden(a: ForbiddenAttributes): ApiError {
  const what = a.name
    ? `${qualifiedResource(a.group, a.resource)} "${a.name}"`
    : qualifiedResource(a.group, a.resource);
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return failure(
    403,
    'Forbidden',
    `${what} is forbidden: User "${a.user}" cannot ${a.verb} resource "${a.resource}" in API group "${a.group}" ${scope}`,
    { ...(a.name ? { name: a.name } : {}), group: a.group || undefined, kind: a.resource },
  );
}

export function unsupportedMediaType(type: string, accepted: readonly string[], why?: string): ApiError {
  return failure(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}${why ? ` (${why})` : ''}; got ${type}`,
  );
}
