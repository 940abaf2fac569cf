/** Group/version/kind as the API server puts it in an AdmissionRequest. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface UserInfo {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** admission.k8s.io/v1 AdmissionRequest, camelCase, optional fields left out when absent. */
export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  resource: GroupVersionResource;
  subResource?: string;
  requestKind?: GroupVersionKind;
  requestResource?: GroupVersionResource;
  requestSubResource?: string;
  name?: string;
  namespace?: string;
  operation: Operation;
  userInfo: UserInfo;
  object?: unknown;
  oldObject?: unknown;
  dryRun?: boolean;
  options?: unknown;
}

/** What a Kubewarden policy returns from `validate` (snake_case, as the SDKs serialise it). */
export interface ValidationResponse {
  accepted: boolean;
  message?: string | null;
  code?: number | null;
  mutated_object?: unknown;
  audit_annotations?: Record<string, string> | null;
  warnings?: string[] | null;
}

export interface SettingsValidationResponse {
  valid: boolean;
  message?: string | null;
}

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

export interface StatusCause {
  field?: string;
  message?: string;
  reason?: string;
}

/** admission.k8s.io/v1 AdmissionResponse as policy-server produces it. */
export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  patchType?: 'JSONPatch';
  /** base64 of the JSON Patch, as on the wire. */
  patch?: string;
  status?: {
    message?: string;
    code?: number;
    details?: { causes: StatusCause[] };
  };
  auditAnnotations?: Record<string, string>;
  warnings?: string[];
}
