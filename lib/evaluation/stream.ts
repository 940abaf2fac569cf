import { DEFAULT_KUBERNETES_VERSION, servedBuiltinResources } from '../kube/served-versions';
import { EquivalentIndex, type EquivalentResource } from '../admission/match';
import { buildOperationRequest, objectKey } from '../admission/operation';
import { findCrdVersion } from '../apiserver/crd-schema';
import { stageOptionsFor } from '../apiserver/options';
import { apiServerStage } from '../apiserver/stage';
import type { JsonObject } from '../apiserver/context';
import {
  effectiveNamespace,
  RequestTooLargeError,
  type RequestOptions,
  type SynthesizedRequest,
} from '../admission/request';
import { ResourceResolver, type ResolvedResource } from '../kube/resource-resolver';
import type { Logger } from '../base/log';
import type { KubeObject, ManifestEntry, ManifestObject, SourceLocation } from '../manifests';
import { evaluateObject, NamespaceIndex, type EvaluationUnit, type StagedObject } from './units';
import type { ObjectRef, Result } from './result';
import type { EvaluationPool } from '../wasm/pool/pool';
import { IN_FLIGHT_PER_WORKER } from './in-flight';

/**
 * How many objects read but not yet evaluated `room()` lets through: reading stays ahead without holding
 * everything. Objects wait seconds here, long enough to reach the old generation, where they leave holes among
 * the results kept: 2,000 cost 20 MiB more at the peak of 50 files of 1,000 objects than 1,000, for no time.
 */
const READ_AHEAD = 1000;

export interface EvaluationStreamOptions {
  request: RequestOptions;
  log: Logger;
  workers: number;
  /** UPDATE: the stored objects; an object without one gets an error result. */
  oldEntries?: ManifestEntry[];
  /** Called after each object is evaluated, with the count done and the number of objects known so far. */
  onProgress?: (done: number, total: number) => void;
  /**
   * The object at `source`, read again from its input's text. With it, an evaluated object whose results need
   * nothing more of it is not kept (its evaluation can be redone from the text): memory stays bounded by what
   * is in flight rather than by the input's size.
   */
  reread?: ((source: SourceLocation) => KubeObject | undefined) & {
    /** Whether what was read again since the last call is the input that was checked (`Rereader`). */
    intact?: () => boolean;
  };
  /** policy-server's always-accept namespace (lib/evaluation/units.ts ObjectEvaluation). */
  alwaysAcceptNamespace?: string;
}

/**
 * What an object's evaluation was decided with, when later input could still change it: the input's CRDs decide
 * an object's resource and scope (and matchPolicy Equivalent's conversions), its Namespace objects the labels
 * namespaceSelector sees. Compared with the final state once all input is read.
 */
interface Assumptions {
  crds: number;
  namespaces: number;
  /** The resolved resource (JSON), one string shared by every object of the same resource. */
  resource: string;
  /** Namespace name → labels (JSON) as namespaceSelector saw them, once per name; absent until one is asked. */
  lookups?: Map<string, string>;
  /** The conversions matchPolicy Equivalent saw (JSON), when it asked. */
  equivalents?: string;
  failOpen?: string[];
}

/**
 * Evaluates objects as their inputs are parsed, instead of after the last one: batches come in input order and
 * their objects go to the pool at once, a bounded number in flight. An object evaluated before the whole input
 * is known may have seen fewer CRDs or Namespace objects than exist; once the input is complete, every such
 * evaluation whose decisions would differ is run again, so results are those of an evaluation after reading
 * everything. Results come in input order then unit order, whatever order evaluations finish in.
 */
export class EvaluationStream {
  private readonly entries: ManifestEntry[] = [];
  private readonly perEntry: Result[][] = [];
  private readonly resolver = new ResourceResolver();
  private readonly crds: KubeObject[] = [];
  private equivalentIndex?: { index: EquivalentIndex; crds: number };
  private readonly namespaces = new NamespaceIndex();
  private namespaceObjects = 0;
  /** Entry indices of objects not yet given to the pool. */
  private readonly pending: number[] = [];
  private next = 0;
  /**
   * By entry index. Kept for every evaluated object until the input is complete, so each is small: an array
   * rather than a Map, and strings shared where objects have the same ones (`shared`).
   */
  private readonly assumed: (Assumptions | undefined)[] = [];
  /** Entry indices whose object was released (`released`). */
  private readonly releasedAt: boolean[] = [];
  /** One copy of each short string many objects have (apiVersion, kind, a resource's JSON). */
  private readonly strings = new Map<string, string>();
  private inFlight = 0;
  private objects = 0;
  private done = 0;
  private ended = false;
  private runner?: { units: EvaluationUnit[]; pool: EvaluationPool };
  private idle?: () => void;
  /** With --old (UPDATE), stored objects are matched by keys that depend on every CRD: nothing starts early. */
  private readonly holdUntilEnd: boolean;
  private olds?: Map<string, KubeObject>;

  constructor(private readonly opts: EvaluationStreamOptions) {
    this.holdUntilEnd = opts.oldEntries !== undefined;
  }

  /** The next batch of input, in order. */
  add(batch: readonly ManifestEntry[]): void {
    for (const entry of batch) {
      const i = this.entries.length;
      this.entries.push(entry);
      if (entry.kind === 'error') {
        this.perEntry[i] = [{ source: entry.source, verdict: 'error', message: entry.message }];
      } else if (entry.kind === 'skip') {
        this.perEntry[i] = [{ source: entry.source, verdict: 'skip', message: entry.reason }];
      } else {
        this.objects++;
        for (const w of entry.warnings ?? []) this.opts.log.warn(w);
        if (!this.holdUntilEnd) this.learn(entry.object);
        this.pending.push(i);
      }
    }
    if (!this.holdUntilEnd) this.pump();
  }

  /** Resolves when fewer than READ_AHEAD objects wait for evaluation: the reader's back-pressure. */
  room(): Promise<void> {
    if (this.holdUntilEnd || this.holding || this.pending.length - this.next + this.inFlight < READ_AHEAD)
      return Promise.resolve();
    return new Promise((resolve) => (this.roomWaiter = resolve));
  }

  private roomWaiter?: () => void;

  /**
   * Evaluate nothing before the input is complete (policies that look up other objects of the run need all of
   * them); reading then goes on without the read-ahead window. Call before `start`.
   */
  holdForCompleteInput(): void {
    this.holding = true;
    this.wakeReader();
  }

  private holding = false;

  /** The policies are ready: evaluation may start. */
  start(units: EvaluationUnit[], pool: EvaluationPool): void {
    this.runner = { units, pool };
    this.opts.onProgress?.(0, this.objects);
    this.pump();
  }

  /** Every entry read so far, in input order (all of them once `finish` resolved). */
  allEntries(): ManifestEntry[] {
    return this.entries;
  }

  /** Input is complete: waits for every evaluation, re-runs those decided on incomplete input, returns results. */
  async finish(): Promise<Result[]> {
    if (!this.runner) throw new Error('evaluation has not started');
    this.ended = true;
    if (this.holdUntilEnd) this.learnAll();
    this.pump();
    await this.drained();
    const stale: number[] = [];
    this.assumed.forEach((a, i) => {
      if (a && this.isStale(i, a)) stale.push(i);
    });
    if (stale.length > 0) {
      for (const i of stale) {
        this.assumed[i] = undefined;
        this.restore(i);
      }
      if (this.opts.reread?.intact && !this.opts.reread.intact())
        throw new Error('an input file changed while it was being checked: its objects cannot be read again');
      this.pending.push(...stale);
      this.redo = true;
      this.pump();
      await this.drained();
    }
    this.warnGuessedKinds();
    this.warnFailedOpen();
    const oldProblems: Result[] = (this.opts.oldEntries ?? [])
      .filter((e) => e.kind === 'error')
      .map((e) => ({ source: e.source, verdict: 'error' as const, message: (e as { message: string }).message }));
    return this.takeResults(oldProblems);
  }

  /**
   * Every result in one array of its final size, the per-object arrays let go: at the end of a 50,000-object run,
   * `flat` and a spread made two growing copies of 1,000,000 elements beside them (the run's peak).
   */
  private takeResults(first: Result[]): Result[] {
    let n = first.length;
    // `flat` skipped holes; an entry has none once evaluated, but the loops need not rely on it.
    for (const rs of this.perEntry) n += rs?.length ?? 0;
    const out = new Array<Result>(n);
    let k = 0;
    for (const r of first) out[k++] = r;
    for (const rs of this.perEntry) for (const r of rs ?? []) out[k++] = r;
    this.perEntry.length = 0;
    return out;
  }

  /** Puts back a released object, read again from its input. */
  private restore(i: number): void {
    const entry = this.entries[i] as ManifestObject;
    if (!this.releasedAt[i]) return;
    const obj = this.opts.reread?.(entry.source);
    if (!obj)
      throw new Error(`${entry.source.file}:${entry.source.line}: the object changed while it was being checked`);
    this.entries[i] = { kind: 'object', object: obj, source: entry.source };
    this.releasedAt[i] = false;
  }

  /** `s`, or the equal string seen before. */
  private shared(s: string): string {
    const seen = this.strings.get(s);
    if (seen !== undefined) return seen;
    this.strings.set(s, s);
    return s;
  }

  /** Re-runs after the input is complete do not count again in progress. */
  private redo = false;

  private learn(o: KubeObject): void {
    if (o.kind === 'CustomResourceDefinition' && o.apiVersion.startsWith('apiextensions.k8s.io/')) {
      this.crds.push(o);
      this.resolver.addCrds([o]);
    }
    if (this.namespaces.add(o)) this.namespaceObjects++;
  }

  /** --old: the indices as evaluateEntries always built them, the new objects' CRDs first, then the stored ones'. */
  private learnAll(): void {
    const objectsOf = (es: readonly ManifestEntry[]): KubeObject[] =>
      es.filter((e): e is ManifestObject => e.kind === 'object').map((e) => e.object);
    const objects = objectsOf(this.entries);
    const oldObjects = objectsOf(this.opts.oldEntries ?? []);
    for (const o of [...objects, ...oldObjects]) {
      if (o.kind === 'CustomResourceDefinition' && o.apiVersion.startsWith('apiextensions.k8s.io/')) this.crds.push(o);
    }
    this.resolver.addCrds(this.crds);
    for (const o of oldObjects) this.namespaces.add(o);
    for (const o of objects) this.namespaces.add(o);
    const olds = new Map<string, KubeObject>();
    for (const o of oldObjects)
      olds.set(objectKey(o, this.resolver.resolve(o.apiVersion, o.kind), this.opts.request.defaultNamespace), o);
    this.olds = olds;
  }

  private equivalents(): EquivalentIndex {
    if (this.equivalentIndex?.crds !== this.crds.length)
      this.equivalentIndex = {
        index: new EquivalentIndex(
          servedBuiltinResources(this.opts.request.apiServer?.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION),
          this.crds,
        ),
        crds: this.crds.length,
      };
    return this.equivalentIndex.index;
  }

  private pump(): void {
    if (!this.runner || ((this.holdUntilEnd || this.holding) && !this.ended)) return;
    const limit = this.opts.workers * IN_FLIGHT_PER_WORKER;
    while (this.inFlight < limit && this.next < this.pending.length) this.dispatch(this.pending[this.next++]);
    if (this.inFlight === 0 && this.next === this.pending.length) this.idle?.();
  }

  private drained(): Promise<void> {
    if (this.inFlight === 0 && this.next === this.pending.length) return Promise.resolve();
    return new Promise((resolve) => {
      this.idle = () => {
        this.idle = undefined;
        resolve();
      };
    });
  }

  private dispatch(i: number): void {
    const { units, pool } = this.runner!;
    const entry = this.entries[i] as ManifestObject;
    const obj = entry.object;
    const res = this.resolver.resolve(obj.apiVersion, obj.kind);
    const req = this.opts.request;
    let old: KubeObject | undefined;
    if (this.olds && req.operation === 'UPDATE') {
      old = this.olds.get(objectKey(obj, res, req.defaultNamespace));
      if (!old) {
        this.perEntry[i] = [
          {
            source: entry.source,
            object: objectRef(obj, undefined),
            verdict: 'error',
            message: `--operation UPDATE: no object with the same apiVersion, kind, namespace and name in --old`,
          },
        ];
        this.completed();
        return;
      }
    }
    const a: Assumptions = {
      crds: this.crds.length,
      namespaces: this.namespaceObjects,
      resource: this.shared(JSON.stringify(res)),
    };
    this.assumed[i] = a;
    let evaluation: { synth: SynthesizedRequest } | { staged: StagedObject };
    let namespace: string | undefined;
    const apiServer = req.apiServer;
    // A request too large to build (docs/security.md) is one error result for this object.
    try {
      if (apiServer && !apiServer.skip && req.operation !== 'DELETE') {
        // The API server's own steps (lib/apiserver/stage.ts): what the policies receive, or why nothing does.
        const out = apiServerStage(
          obj as unknown as JsonObject,
          res,
          stageOptionsFor(apiServer, req, {
            crd: res.origin === 'crd' ? findCrdVersion(this.crds, res.group, res.version, res.kind) : undefined,
            old: old as unknown as JsonObject | undefined,
          }),
        );
        if (!out.ok) {
          const r: Result = {
            source: entry.source,
            object: objectRef(obj, effectiveNamespace(obj, res, req.defaultNamespace)),
            verdict: 'error',
            message: out.message,
            code: out.code,
          };
          if (out.path) r.fieldPath = out.path;
          this.perEntry[i] = [r];
          this.completed();
          return;
        }
        for (const w of out.warnings) this.opts.log.warn(`${entry.source.file}:${entry.source.line}: ${w.message}`);
        const ns = { namespace: out.namespace };
        namespace = out.namespace;
        // The oldObject is the stored object as the cluster holds it (decoded, defaulted).
        const stored = out.old ? (out.old as unknown as KubeObject) : old;
        const request = (o: KubeObject): SynthesizedRequest => buildOperationRequest(o, res, req, stored, ns);
        evaluation = {
          staged: {
            object: out.mutating as unknown as KubeObject,
            request,
            chain: !apiServer.independent,
            reinvokeBuiltins: (mutated) =>
              out.reinvokePlugins(mutated as unknown as JsonObject) as unknown as KubeObject,
            validating: (mutated, owned) => {
              const v = out.validating(mutated as unknown as JsonObject, owned);
              if (!v.ok) return { message: v.message, code: v.code, ...(v.path ? { fieldPath: v.path } : {}) };
              return request(v.object as unknown as KubeObject);
            },
          },
        };
      } else {
        const synth = buildOperationRequest(obj, res, req, old);
        namespace = synth.request.namespace;
        evaluation = { synth };
      }
    } catch (err) {
      if (!(err instanceof RequestTooLargeError)) throw err;
      this.perEntry[i] = [
        { source: entry.source, object: objectRef(obj, undefined), verdict: 'error', message: err.message },
      ];
      this.completed();
      return;
    }
    this.inFlight++;
    void evaluateObject(units, pool, {
      source: entry.source,
      ref: this.objectRef(obj, res.namespaced ? namespace : undefined),
      ...evaluation,
      namespaced: res.namespaced,
      namespaces: {
        get: (name) => {
          const labels = this.namespaces.get(name);
          // Every unit with a namespaceSelector asks; the labels of one name cannot change within the object.
          a.lookups ??= new Map();
          if (!a.lookups.has(name)) a.lookups.set(name, JSON.stringify(labels));
          return labels;
        },
      },
      equivalents: (): EquivalentResource[] => {
        const e = this.equivalents().equivalents(res.group, res.resource);
        a.equivalents = JSON.stringify(e);
        return e;
      },
      onFailOpen: (m) => (a.failOpen ??= []).push(m),
      ...(this.opts.alwaysAcceptNamespace !== undefined
        ? { alwaysAcceptNamespace: this.opts.alwaysAcceptNamespace }
        : {}),
    }).then((results) => {
      this.perEntry[i] = results;
      this.inFlight--;
      // Reporters need the object only to show a mutation.
      if (this.opts.reread && !results.some((r) => r.patch)) {
        this.entries[i] = { kind: 'object', object: this.released(obj), source: entry.source };
        this.releasedAt[i] = true;
      }
      this.completed();
    });
  }

  private completed(): void {
    if (!this.redo) this.opts.onProgress?.(++this.done, this.objects);
    this.pump();
    if (this.pending.length - this.next + this.inFlight < READ_AHEAD) this.wakeReader();
  }

  private wakeReader(): void {
    const wake = this.roomWaiter;
    this.roomWaiter = undefined;
    wake?.();
  }

  /** What is kept of an evaluated object: enough to name it. */
  private released(obj: KubeObject): KubeObject {
    // Assigned, not spread: spread copies get a hidden class each.
    const metadata: NonNullable<KubeObject['metadata']> = {};
    if (obj.metadata?.name !== undefined) metadata.name = obj.metadata.name;
    if (obj.metadata?.namespace !== undefined) metadata.namespace = this.shared(obj.metadata.namespace);
    return { apiVersion: this.shared(obj.apiVersion), kind: this.shared(obj.kind), metadata };
  }

  /** The object's reference in its results, with the strings its kind shares with others. */
  private objectRef(obj: KubeObject, namespace: string | undefined): ObjectRef {
    const ref = objectRef(obj, namespace === undefined ? undefined : this.shared(namespace));
    ref.apiVersion = this.shared(ref.apiVersion);
    ref.kind = this.shared(ref.kind);
    return ref;
  }

  /** Whether CRDs or Namespace objects read after the object was evaluated change what it was decided on. */
  private isStale(i: number, a: Assumptions): boolean {
    if (a.crds !== this.crds.length) {
      // A released object keeps its apiVersion and kind.
      const { apiVersion, kind } = (this.entries[i] as ManifestObject).object;
      const res: ResolvedResource = this.resolver.resolve(apiVersion, kind);
      if (JSON.stringify(res) !== a.resource) return true;
      if (
        a.equivalents !== undefined &&
        JSON.stringify(this.equivalents().equivalents(res.group, res.resource)) !== a.equivalents
      )
        return true;
    }
    if (a.namespaces !== this.namespaceObjects && a.lookups) {
      for (const [name, labels] of a.lookups) if (JSON.stringify(this.namespaces.get(name)) !== labels) return true;
    }
    return false;
  }

  /** One warning per unknown kind, in input order, with the CRDs of the whole input known. */
  private warnGuessedKinds(): void {
    const warned = new Set<string>();
    for (const entry of this.entries) {
      if (entry.kind !== 'object') continue;
      const obj = entry.object;
      const res = this.resolver.resolve(obj.apiVersion, obj.kind);
      const key = `${obj.apiVersion}/${obj.kind}`;
      if (res.origin !== 'guessed' || warned.has(key)) continue;
      warned.add(key);
      this.opts.log.warn(
        `${entry.source.file}:${entry.source.line}: unknown kind ${obj.kind} (${obj.apiVersion}): assuming resource "${res.resource}", namespaced; include its CustomResourceDefinition in the input to resolve it`,
      );
    }
  }

  /** Webhooks that failed open, said once each, from the evaluations that stand. */
  private warnFailedOpen(): void {
    const said = new Set<string>();
    for (const a of this.assumed) {
      for (const m of a?.failOpen ?? []) {
        if (said.has(m)) continue;
        said.add(m);
        this.opts.log.warn(m);
      }
    }
  }
}

function objectRef(obj: KubeObject, namespace: string | undefined): ObjectRef {
  const ref: ObjectRef = { apiVersion: obj.apiVersion, kind: obj.kind };
  const name = obj.metadata?.name ?? obj.metadata?.generateName;
  if (typeof name === 'string') ref.name = name;
  if (namespace !== undefined) ref.namespace = namespace;
  return ref;
}
