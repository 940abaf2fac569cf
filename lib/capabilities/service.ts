import type { ContextAwareResource } from '../wasm/metadata';
import { HostCallError } from './errors';
import { capabilityId, isGranted, notGrantedMessage } from './grants';
import { answerKubernetes, checkGranted, type KubernetesRequest } from './kubernetes';
import type { KubernetesSource } from './kubernetes-source';
import { dnsLookupHost } from './net';
import type { OciCapability } from './oci';
import { parseCallbackRequest, type CallbackRequest } from './requests';
import { routeOf } from './routes';
import type { CapabilityBackend } from './session';

const enc = new TextEncoder();

/** What answers the capabilities that need I/O. */
export interface CapabilitySources {
  kubernetes: KubernetesSource;
  oci: OciCapability;
}

/** The backend over live sources: every request answered from the sources, replies serialised as JSON. */
export function sourcesBackend(sources: CapabilitySources): CapabilityBackend {
  return async (req: CallbackRequest) => enc.encode(JSON.stringify(await answer(req, sources)));
}

async function answer(req: CallbackRequest, sources: CapabilitySources): Promise<unknown> {
  switch (req.type) {
    case 'OciManifestDigest':
      return sources.oci.answer('v1/manifest_digest', req.image);
    case 'OciManifest':
      return sources.oci.answer('v1/oci_manifest', req.image);
    case 'OciManifestAndConfig':
      return sources.oci.answer('v1/oci_manifest_config', req.image);
    case 'SigstorePubKeyVerify':
    case 'SigstoreKeylessVerify':
    case 'SigstoreKeylessPrefixVerify':
    case 'SigstoreGithubActionsVerify':
    case 'SigstoreCertificateVerify':
      return sources.oci.verify(req);
    case 'DNSLookupHost':
      return dnsLookupHost(req.host);
    case 'CertificateVerification':
      // Loaded on first use (it loads node:tls): few runs verify certificates.
      return (await import('./crypto')).isCertificateTrusted(req.cert, req.cert_chain, req.not_after);
    default:
      return answerKubernetes(req, sources.kubernetes);
  }
}

/** The policy a call comes from: its id for messages and what it may read. */
export interface CallingPolicy {
  id: string;
  contextAwareResources: readonly ContextAwareResource[];
  /** The capability patterns the run grants (lib/capabilities/grants.ts). */
  allowedHostCapabilities: readonly string[];
}

/**
 * The main-thread side of `__host_call`: decodes the call, applies the context-aware allow-list (before the
 * backend, as policy-evaluator does, so refusals are neither recorded nor replayed) and asks the backend.
 * Rejects with HostCallError for anything the guest should get as a host error.
 */
export async function serveHostCall(
  backend: CapabilityBackend,
  policy: CallingPolicy,
  binding: string,
  namespace: string,
  operation: string,
  payload: Uint8Array,
): Promise<Uint8Array> {
  const route = routeOf(binding, namespace, operation);
  if (route.kind === 'tracing-log') throw new HostCallError('kubewarden/tracing/log is answered where the policy runs');
  // Before decoding and before the backend: a refusal is neither recorded nor replayed, like the allow-list's.
  const id = capabilityId(route, namespace, operation);
  if (id !== undefined && !isGranted(id, policy.allowedHostCapabilities))
    throw new HostCallError(notGrantedMessage(id));
  const req = parseCallbackRequest(route, payload);
  // The legacy "ClusterContext" bindings are not checked against the allow-list (policy-evaluator does not either).
  if (route.kind === 'kubernetes') checkGranted(req as KubernetesRequest, policy.contextAwareResources);
  return backend(req);
}
