/** The public shapes of lib/cluster: what a caller connects with and what it gets back. */
import type { Logger } from '../base/log';
import type { ResourceType } from '../kube/resource-type';
import type { KubeObject } from '../manifests/types';
import type { ClusterError } from './errors';

export type { KubeObject };

export interface ClusterOptions {
  /** `--kubeconfig`: one file, used alone (KUBECONFIG is then ignored, as kubectl does). */
  kubeconfig?: string;
  /** `--context`: a context name from the loaded configuration instead of its current-context. */
  context?: string;
  /** `-n`: overrides the context's namespace. */
  namespace?: string;
  log: Logger;
  /** Deadline for one HTTP request (not for a whole paginated list). Default 30 s. */
  requestTimeoutMs?: number;
  /** Where KUBECONFIG, HOME, KUBERNETES_SERVICE_HOST/PORT and HTTPS_PROXY/NO_PROXY are read. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** The service-account directory for in-cluster configuration. Default /var/run/secrets/kubernetes.io/serviceaccount. */
  serviceAccountDir?: string;
}

/** One resource as API discovery describes it, for one group version. */
export interface ApiResource extends ResourceType {
  verbs: string[];
}

/** The `rules[]` entry of a policy (or of a webhook): names, `*` wildcards. */
export interface ResourceRule {
  apiGroups: string[];
  apiVersions: string[];
  resources: string[];
}

export interface ListOptions {
  /** Omitted: all namespaces (or a cluster-scoped resource). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Items per page (`limit`). Default 500, as kubectl. */
  pageSize?: number;
  /** Most pages read for one list (a server that never ends a list cannot hold the run). Default DEFAULT_MAX_PAGES. */
  maxPages?: number;
  /**
   * Only each object's metadata is needed: asked as a meta.k8s.io/v1 PartialObjectMetadataList (a fraction of the
   * bytes); a server that cannot answer so sends the whole objects.
   */
  metadataOnly?: boolean;
}

/** An object's state as the caller last read it: absent, or present at a resourceVersion. */
export type KnownState = { exists: false } | { exists: true; resourceVersion: string };

/** authorization.k8s.io/v1 SubjectAccessReview spec, as sent on the wire. */
export interface SubjectAccessReviewSpec {
  user?: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
  resourceAttributes?: {
    namespace?: string;
    verb?: string;
    group?: string;
    version?: string;
    resource?: string;
    subresource?: string;
    name?: string;
  };
  nonResourceAttributes?: { path?: string; verb?: string };
}

export interface SubjectAccessReviewStatus {
  allowed: boolean;
  denied?: boolean;
  reason?: string;
  evaluationError?: string;
}

/** One resource to list in an audit: all namespaces when `namespace` is omitted. */
export interface ListTarget {
  res: ApiResource;
  namespace?: string;
}

export type ListManyItem = { target: ListTarget; object: KubeObject } | { target: ListTarget; error: ClusterError };

export interface ListManyOptions {
  /** Lists in flight at once, over all targets. */
  parallel: number;
  /** Of those, at most this many for one resource (the other namespaces of it wait). Default: `parallel`. */
  perResource?: number;
  /** Of those, at most this many in one namespace (the other resources of it wait). Default: `parallel`. */
  perNamespace?: number;
  list?: Omit<ListOptions, 'namespace'>;
}

/** A connection to one API server, as one user, with a default namespace. */
export interface Cluster {
  readonly server: string;
  readonly context: string;
  readonly namespace: string;
  /** Every resource the server serves (core, groups, CRDs, aggregated APIs). Cached for the life of the Cluster. */
  discover(): Promise<ApiResource[]>;
  /** The server's `/version` (major and minor as it writes them, e.g. "1", "33+"). */
  serverVersion(): Promise<{ major: string; minor: string; gitVersion?: string }>;
  resolve(apiVersion: string, kind: string): Promise<ApiResource | undefined>;
  /** The listable resources a rule names, wildcards expanded; subresources are left out. */
  resourcesFor(rule: ResourceRule): Promise<ApiResource[]>;
  list(res: ApiResource, opts?: ListOptions): AsyncIterable<KubeObject>;
  get(res: ApiResource, name: string, namespace?: string): Promise<KubeObject | undefined>;
  subjectAccessReview(spec: SubjectAccessReviewSpec): Promise<SubjectAccessReviewStatus>;
  /**
   * Creates the object, or replaces it (PUT with the current resourceVersion) when it exists. With `known` (what a
   * list just read), the write is sent without reading the object first; when the object changed since, it is read
   * and written as without.
   */
  apply(obj: KubeObject, known?: KnownState): Promise<KubeObject>;
  /** Many lists at once; a failed list becomes an error item and the others go on. */
  listMany(targets: ListTarget[], opts: ListManyOptions): AsyncIterable<ListManyItem>;
  /** Closes the kept-alive connections. */
  close(): void;
}
