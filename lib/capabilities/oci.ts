import { PolicyFetchError } from '../store/errors';
import type { FetchOptions } from '../store/fetch';
import { storeContext } from '../store/fetch';
import { formatRegistryRef, parseRegistryRef, type RegistryRef } from '../store/ref';
import type { RegistryClient } from '../store/registry';
import { HostCallError } from './errors';
import type { SigstoreRequest } from './requests';
import type { TrustRoot } from '../verification/trust-root';

/** policy-evaluator keeps successful OCI answers this long. */
export const OCI_CACHE_MS = 60_000;

export type OciOperation = 'v1/manifest_digest' | 'v1/oci_manifest' | 'v1/oci_manifest_config';

/**
 * The oci capability through the project's registry client: the same credentials, sources.yaml and TLS settings
 * as policy pulls. Image references are normalised like Docker (`busybox` → `docker.io/library/busybox:latest`).
 */
export class OciCapability {
  private readonly cache = new Map<string, { at: number; value: Promise<unknown> }>();
  private trustRoot?: TrustRoot;

  constructor(
    private readonly fetch: FetchOptions = {},
    private readonly now: () => number = Date.now,
    /** `--sigstore-trust-config`; unset: the public-good trust root shipped with the tool. */
    private readonly trustConfig?: string,
  ) {}

  /**
   * `oci/v1/verify` and `oci/v2/verify`: every constraint of the request must be satisfied by a signature of the
   * image, as policy-evaluator's sigstore verification answers; the reply names the verified digest, a failure
   * is a host error (never `is_trusted: false`).
   */
  verify(req: SigstoreRequest): Promise<{ is_trusted: true; digest: string }> {
    // The same request within OCI_CACHE_MS is answered once, as the other oci answers are (a policy verifies the
    // same image for every object that uses it).
    const key = `verify ${JSON.stringify(req, (_k, v: unknown) => (v instanceof Uint8Array ? Array.from(v) : v))}`;
    return this.cached(key, () => this.loadVerification(req));
  }

  private async loadVerification(req: SigstoreRequest): Promise<{ is_trusted: true; digest: string }> {
    if (this.fetch.pull === 'never')
      throw new HostCallError(
        `${req.image}: --pull never: the oci capability does not contact registries (replay a session recorded online with --replay-host-capabilities-interactions)`,
      );
    let ref: RegistryRef;
    try {
      ref = parseRegistryRef(req.image);
    } catch (err) {
      throw new HostCallError((err as Error).message);
    }
    // The Sigstore libraries are loaded on the first verification only.
    const [{ PolicyVerificationError }, { constraintsOf }, { trustRootFor }, { verifyArtifact }] = await Promise.all([
      import('../verification/errors'),
      import('../verification/host-request'),
      import('../verification/trust-root'),
      import('../verification/verify'),
    ]);
    try {
      // Read once per run: every verification of the run checks against the same root.
      this.trustRoot ??= trustRootFor(this.trustConfig);
      const trustRoot = this.trustRoot;
      const client = await storeContext(this.fetch).client();
      const v = await verifyArtifact({
        client,
        ref,
        config: { allOf: constraintsOf(req, new Date(this.now())) },
        trustRoot,
        subject: 'image',
      });
      return { is_trusted: true, digest: v.digest };
    } catch (err) {
      if (err instanceof PolicyVerificationError || err instanceof PolicyFetchError)
        throw new HostCallError(err.message);
      throw err;
    }
  }

  answer(operation: OciOperation, image: string): Promise<unknown> {
    return this.cached(`${operation} ${image}`, () => this.load(operation, image));
  }

  /** A successful answer is kept OCI_CACHE_MS; a failure is forgotten, so the next call asks again. */
  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.cache.get(key);
    if (hit && this.now() - hit.at < OCI_CACHE_MS) return hit.value as Promise<T>;
    const value = load();
    this.cache.set(key, { at: this.now(), value });
    value.catch(() => this.cache.delete(key));
    return value;
  }

  private async load(operation: OciOperation, image: string): Promise<unknown> {
    // Offline runs stay offline: answers can still come from a session recorded with network access.
    if (this.fetch.pull === 'never')
      throw new HostCallError(
        `${image}: --pull never: the oci capability does not contact registries (replay a session recorded online with --replay-host-capabilities-interactions)`,
      );
    let ref: RegistryRef;
    try {
      ref = parseRegistryRef(image);
    } catch (err) {
      throw new HostCallError((err as Error).message);
    }
    try {
      const client = await storeContext(this.fetch).client();
      switch (operation) {
        case 'v1/manifest_digest':
          return { digest: await client.manifestDigest(ref) };
        case 'v1/oci_manifest':
          return JSON.parse((await client.manifestDocument(ref)).body.toString('utf8')) as unknown;
        case 'v1/oci_manifest_config':
          return await manifestAndConfig(client, ref);
      }
    } catch (err) {
      // Registry errors already name the reference.
      if (err instanceof PolicyFetchError) throw new HostCallError(err.message);
      if (err instanceof SyntaxError)
        throw new HostCallError(
          `${formatRegistryRef(ref, false)}: the registry sent a document that is not JSON: ${err.message}`,
        );
      throw err;
    }
  }
}

async function manifestAndConfig(client: RegistryClient, ref: RegistryRef): Promise<unknown> {
  const { body, digest } = await client.manifestDocument(ref);
  const manifest = JSON.parse(body.toString('utf8')) as {
    manifests?: unknown;
    config?: { digest?: unknown; size?: unknown };
  };
  if (Array.isArray(manifest.manifests))
    throw new HostCallError(
      `${formatRegistryRef(ref, false)} is an image index, not an image manifest: it has no config`,
    );
  const cfg = manifest.config;
  if (!cfg || typeof cfg.digest !== 'string')
    throw new HostCallError(`${formatRegistryRef(ref, false)}: the manifest names no config blob`);
  const bytes = await client.blob(ref, cfg.digest, typeof cfg.size === 'number' ? cfg.size : undefined);
  return { manifest, digest, config: JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown };
}
