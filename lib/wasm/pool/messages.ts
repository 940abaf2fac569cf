import type { SettingsValidationResponse } from '../../kube/admission-review';
import type { LogLevel } from '../../base/log';
import type { EvaluationLimits } from '../limits';
import type { ContextAwareResource, ExecutionMode, PolicyMetadata } from '../metadata';
import type { MessagePort } from 'node:worker_threads';
import type { RuntimeOutcome } from '../runtime';

/** What a worker needs to run one policy; the compiled module is shared, not recompiled. */
export interface WorkerPolicy {
  id: string;
  mode: ExecutionMode;
  module: WebAssembly.Module;
  policyType: PolicyMetadata['policyType'];
  settingsJson: string;
  limits: EvaluationLimits;
  /** See CompiledPolicy.snapshotGlobals. */
  snapshotGlobals?: string[];
  /** What the policy may read through the kubernetes capability (and, for Rego, what its context data holds). */
  contextAwareResources?: ContextAwareResource[];
}

export type MainToWorker =
  | {
      type: 'init';
      policies: WorkerPolicy[];
      heartbeat: SharedArrayBuffer;
      logLevel: LogLevel;
      /** The worker's end of the host-call bridge (host-bridge.ts) and the flag it sleeps on. */
      hostPort: MessagePort;
      hostSignal: SharedArrayBuffer;
      /** The WASI stderr of the run in progress (lib/wasm/wasi/stderr-tail.ts). */
      stderrTail: SharedArrayBuffer;
    }
  /** Start-up: start the policy and validate its settings, or (`ask`) answer its waPC protocol version instead. */
  | { type: 'prepare'; taskId: number; policy: number; ask?: PrepareQuestion }
  /** Several tasks in one message (see EvaluationPool.dispatch), run in order, answered together. */
  | { type: 'evaluate'; tasks: EvaluateTask[] };

export interface EvaluateTask {
  taskId: number;
  requestJson: string;
  policies: number[];
}

/** What a start-up task asks besides starting the policy: its settings validation (the default) or its protocol version. */
export type PrepareQuestion = 'settings' | 'protocol-version';

/** Load-time result of one policy: it started and its settings are valid (or its protocol version), or why not. */
export type PrepareOutcome =
  { ok: true; settings: SettingsValidationResponse; protocolVersion?: string } | { ok: false; message: string };

export type WorkerToMain =
  | { type: 'ready' }
  | { type: 'prepared'; taskId: number; outcome: PrepareOutcome }
  | { type: 'evaluated'; results: { taskId: number; outcomes: RuntimeOutcome[] }[] }
  | { type: 'log'; level: 'error' | 'warn' | 'info' | 'debug'; message: string };

/**
 * Heartbeat slots (Float64Array over a SharedArrayBuffer, one per worker): the worker writes when the current
 * evaluation started (Date.now()) and which position of the task it is at; the main thread's watchdog reads
 * them to enforce deadlines without a message per evaluation.
 */
export const HB_STARTED = 0;
export const HB_POSITION = 1;
/** The id of the task the worker is running: a worker holds more than one, so the watchdog must know which. */
export const HB_TASK = 2;
export const HB_SLOTS = 3;
