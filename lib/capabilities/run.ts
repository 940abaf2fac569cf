import type { Logger } from '../base/log';
import type { KubeObject } from '../manifests/types';
import type { FetchOptions } from '../store/fetch';
import type { WorkerPolicy } from '../wasm/pool/messages';
import type { KubernetesSource } from './kubernetes-source';
import { DEFAULT_ALLOWED_HOST_CAPABILITIES } from './grants';
import { ManifestsSource } from './manifests-source';
import { OciCapability } from './oci';
import { serveHostCall, sourcesBackend } from './service';
import { SessionRecorder, SessionReplayer, type CapabilityBackend, type Exchange } from './session';

/** Builds the kubernetes source of a run once its objects are known. */
export type KubernetesSourceFactory = (ctx: {
  objects: readonly KubeObject[];
  defaultNamespace: string;
}) => KubernetesSource;

export interface HostCapabilityOptions {
  /** Where the kubernetes capability reads from; default: the manifests of the run (ManifestsSource). */
  kubernetesSource?: KubernetesSourceFactory;
  /** `--record-host-capabilities-interactions FILE`: write every exchange there at the end (kwctl's format). */
  record?: string;
  /** `--replay-host-capabilities-interactions FILE`, already read: answer from it, strictly in order. */
  replay?: { file: string; exchanges: Exchange[] };
  /** `--sigstore-trust-config`: the trust root `oci/v1/verify` and `oci/v2/verify` check keyless signatures against. */
  sigstoreTrustConfig?: string;
  /** `--allowed-host-capabilities`: the capabilities policies may call; default DEFAULT_ALLOWED_HOST_CAPABILITIES. */
  allowedHostCapabilities?: readonly string[];
}

/**
 * The host capabilities of one run: the backend (live sources, a recording of them, or a replayed session),
 * ready once the run's objects are known, and the pool's hook to it.
 */
export class RunCapabilities {
  private resolveBackend!: (b: CapabilityBackend) => void;
  private readonly backend: Promise<CapabilityBackend>;
  private recorder?: SessionRecorder;
  private replayer?: SessionReplayer;

  constructor(
    private readonly opts: HostCapabilityOptions,
    private readonly fetch: FetchOptions | undefined,
    private readonly log: Logger,
  ) {
    this.backend = new Promise((resolve) => (this.resolveBackend = resolve));
  }

  /** Record and replay need the calls in a fixed order: the run then uses one worker. */
  get sequential(): boolean {
    return this.opts.record !== undefined || this.opts.replay !== undefined;
  }

  /** Whether the kubernetes capability answers from the run's own objects (then it needs all of them first). */
  get worldFromManifests(): boolean {
    return this.opts.kubernetesSource === undefined && this.opts.replay === undefined;
  }

  private started = false;
  private wantedNow!: () => void;
  /** Resolves when a policy asks the host before the backend is ready: the run must then read all its input. */
  readonly wanted: Promise<void> = new Promise((resolve) => (this.wantedNow = resolve));

  /** The pool's `hostCalls`: waits until the backend is ready. */
  readonly hostCalls = async (
    policy: WorkerPolicy,
    binding: string,
    namespace: string,
    operation: string,
    payload: Uint8Array,
  ): Promise<Uint8Array> => {
    if (!this.started) this.wantedNow();
    const allowedHostCapabilities = this.opts.allowedHostCapabilities ?? DEFAULT_ALLOWED_HOST_CAPABILITIES;
    return serveHostCall(
      await this.backend,
      { id: policy.id, contextAwareResources: policy.contextAwareResources ?? [], allowedHostCapabilities },
      binding,
      namespace,
      operation,
      payload,
    );
  };

  /** The run's objects are known: the backend can answer. */
  start(objects: readonly KubeObject[], defaultNamespace: string): void {
    if (this.started) return;
    this.started = true;
    if (this.opts.replay) {
      this.replayer = new SessionReplayer(this.opts.replay.exchanges, this.opts.replay.file);
      this.resolveBackend(this.replayer.backend);
      return;
    }
    const kubernetes = (
      this.opts.kubernetesSource ?? ((ctx) => new ManifestsSource(ctx.objects, ctx.defaultNamespace))
    )({ objects, defaultNamespace });
    const live = sourcesBackend({
      kubernetes,
      oci: new OciCapability({ ...this.fetch, log: this.log }, Date.now, this.opts.sigstoreTrustConfig),
    });
    if (this.opts.record !== undefined) {
      this.recorder = new SessionRecorder(live);
      this.resolveBackend(this.recorder.backend);
    } else this.resolveBackend(live);
  }

  /** Writes the recording; says what a replay left unused. */
  async finish(): Promise<void> {
    if (this.recorder && this.opts.record !== undefined) {
      await this.recorder.save(this.opts.record);
      this.log.info(`recorded ${this.recorder.count} host capability exchange(s) to ${this.opts.record}`);
    }
    if (this.replayer && this.replayer.unused > 0) {
      this.log.warn(`${this.opts.replay!.file}: ${this.replayer.unused} recorded exchange(s) were not asked for`);
    }
  }
}
