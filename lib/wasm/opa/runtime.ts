import type { JsonPatchOperation, SettingsValidationResponse, ValidationResponse } from '../../kube/admission-review';
import { applyPatch } from '../../kube/json-patch';
import { silentLogger, type Logger } from '../../base/log';
import { INTERNAL_ERROR_CODE, type EvaluationInput, type PolicyRuntime, type RuntimeOutcome } from '../runtime';
import { OpaPolicy, RegoEvalError, RegoLoadError, importProblems } from './abi';
import { deserializeAdmissionResponse, gatekeeperViolations } from './response';
import type { ContextAwareResource } from '../metadata';
import type { HostCallHandler } from '../wapc/host';
import { gatekeeperInventory, kubeMgmtData, listContextResources } from './context';

export { RegoLoadError } from './abi';

export type RegoMode = 'opa' | 'gatekeeper';

export interface RegoRuntimeOptions {
  mode: RegoMode;
  log: Logger;
  /** The policy's memory may not grow past this many bytes (whole 64 KiB pages, at least 320 KiB). */
  memoryLimitBytes: number;
  policyType: 'kubernetes' | 'raw';
  /** Clock for time.now_ns (nanoseconds since the epoch); the system clock by default. */
  now?: () => bigint;
  /**
   * contextAwareResources: each is listed through `hostCall` before every evaluation and given to the policy as
   * `data.kubernetes` (opa) or `data.inventory` (gatekeeper).
   */
  context?: { resources: readonly ContextAwareResource[]; hostCall: HostCallHandler };
}

export const GATEKEEPER_RAW_MESSAGE = 'Gatekeeper does not support raw validation requests';
export const OPA_NO_RESULT_MESSAGE = 'cannot interpret OPA policy result';

const fail = (message: string): RuntimeOutcome => ({
  ok: false,
  message: `internal server error: ${message}`,
  code: INTERNAL_ERROR_CODE,
  reason: 'error',
});

/**
 * Why a module cannot run as a Rego policy (empty when it can): unknown imports, missing ABI exports, an ABI
 * other than 1.x, builtins we lack (`Missing Rego builtins: a, b`, burrego's text). Instantiates it once.
 */
export function regoLoadProblems(
  module: WebAssembly.Module,
  opts: { log?: Logger; memoryLimitBytes?: number } = {},
): string[] {
  const early = importProblems(module);
  if (early.length > 0) return early;
  try {
    OpaPolicy.load(module, {
      log: opts.log ?? silentLogger,
      memoryLimitBytes: opts.memoryLimitBytes ?? 64 * 1024 * 1024,
    });
    return [];
  } catch (err) {
    if (err instanceof RegoLoadError) return err.problems;
    return [(err as Error).message];
  }
}

/**
 * The `opa` and `gatekeeper` execution modes (docs/host-interface.md §4.2, §4.3) on our OPA ABI driver. Synchronous, no global
 * state. The instance is reused between evaluations, as burrego does, and rebuilt after a failed one.
 * The constructor throws RegoLoadError when the module cannot be used (e.g. `Missing Rego builtins: ...`).
 */
export class RegoRuntime implements PolicyRuntime {
  readonly mode: RegoMode;
  private policy: OpaPolicy | undefined;

  constructor(
    private readonly module: WebAssembly.Module,
    private readonly opts: RegoRuntimeOptions,
  ) {
    this.mode = opts.mode;
    this.policy = this.instantiate();
  }

  private instantiate(): OpaPolicy {
    return OpaPolicy.load(this.module, {
      log: this.opts.log,
      memoryLimitBytes: this.opts.memoryLimitBytes,
      now: this.opts.now,
    });
  }

  /** ABI version of the module, e.g. `{major: 1, minor: 2}`. */
  get abiVersion(): { major: number; minor: number } {
    return (this.policy ??= this.instantiate()).abiVersion;
  }

  /** Rego policies have no settings validation: always valid (PE `rego/runtime.rs`). */
  validateSettings(_settings: unknown): SettingsValidationResponse {
    return { valid: true };
  }

  /** The listed context resources; undefined without any; a string says why they could not be listed. */
  private contextData(): ReturnType<typeof listContextResources> | string | undefined {
    const c = this.opts.context;
    if (!c || c.resources.length === 0) return undefined;
    try {
      return listContextResources(c.resources, c.hostCall);
    } catch (err) {
      return `cannot build the context data: ${(err as Error).message}`;
    }
  }

  validate(input: EvaluationInput): RuntimeOutcome {
    const settings = normaliseSettings(input.settingsJson);
    let inputJson: string;
    let dataJson: string;
    if (this.mode === 'gatekeeper' && this.opts.policyType === 'raw') return fail(GATEKEEPER_RAW_MESSAGE);
    const context = this.contextData();
    if (typeof context === 'string') return fail(context);
    if (this.mode === 'gatekeeper') {
      inputJson = `{"parameters":${settings},"review":${input.requestJson}}`;
      dataJson = context ? JSON.stringify({ inventory: gatekeeperInventory(context) }) : '{}';
    } else {
      inputJson = `{"request":${input.requestJson}}`;
      // data.kubernetes replaces a setting of that name, as in policy-evaluator.
      dataJson = context
        ? JSON.stringify({ ...(JSON.parse(settings) as Record<string, unknown>), kubernetes: kubeMgmtData(context) })
        : settings;
    }
    let resultSet: unknown;
    try {
      const policy = (this.policy ??= this.instantiate());
      resultSet = policy.evaluateValue(inputJson, dataJson);
    } catch (err) {
      // The instance's state is unknown after a trap or an abort: start over next time.
      this.policy = undefined;
      if (err instanceof RegoEvalError || err instanceof RegoLoadError) return fail(err.message);
      throw err;
    }
    return this.mode === 'gatekeeper' ? gatekeeperOutcome(resultSet) : opaOutcome(resultSet, input.requestJson);
  }
}

function normaliseSettings(json: string): string {
  const t = json.trim();
  return t === '' || t === 'null' ? '{}' : json;
}

function field(v: unknown, key: string | number): unknown {
  if (typeof key === 'number') return Array.isArray(v) ? v[key] : undefined;
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined;
}

/** OPA mode: `result[0].result.response` is an AdmissionResponse; a patch becomes the mutated object. */
function opaOutcome(resultSet: unknown, requestJson: string): RuntimeOutcome {
  const raw = field(field(field(resultSet, 0), 'result'), 'response');
  if (raw === undefined) return fail(OPA_NO_RESULT_MESSAGE);
  const parsed = deserializeAdmissionResponse(raw);
  if (!parsed.ok) return fail(parsed.error);
  const r = parsed.response;
  const response: ValidationResponse = { accepted: r.allowed };
  if (r.status?.message !== undefined) response.message = r.status.message;
  if (r.status?.code !== undefined) response.code = r.status.code;
  if (r.warnings !== undefined) response.warnings = r.warnings;
  if (r.auditAnnotations !== undefined) response.audit_annotations = r.auditAnnotations;
  if (r.patch !== undefined) {
    const mutated = applyPolicyPatch(r.patch, requestJson);
    if (typeof mutated === 'string') return fail(mutated);
    response.mutated_object = mutated.object;
  }
  return { ok: true, response };
}

/** Decodes the base64 JSON Patch and applies it to the request's object; a string is the failure. */
function applyPolicyPatch(patch: string, requestJson: string): { object: unknown } | string {
  let ops: unknown;
  try {
    ops = JSON.parse(Buffer.from(patch, 'base64').toString('utf8'));
  } catch (err) {
    return `cannot decode the patch returned by the policy: ${(err as Error).message}`;
  }
  if (
    !Array.isArray(ops) ||
    !ops.every((o) => typeof o === 'object' && o !== null && typeof o.op === 'string' && typeof o.path === 'string')
  ) {
    return 'cannot decode the patch returned by the policy: it is not a JSON Patch (a list of operations)';
  }
  const object = field(JSON.parse(requestJson), 'object');
  if (object === undefined || object === null)
    return 'the policy returned a patch but the request has no object to apply it to';
  try {
    return { object: applyPatch(object, ops as JsonPatchOperation[]) };
  } catch (err) {
    return `cannot apply the patch returned by the policy: ${(err as Error).message}`;
  }
}

/** Gatekeeper mode: violations → rejection with every `msg` joined by ", "; lenient on malformed results. */
function gatekeeperOutcome(resultSet: unknown): RuntimeOutcome {
  const violations = gatekeeperViolations(resultSet);
  if (violations.length === 0) return { ok: true, response: { accepted: true } };
  const message = violations.filter((m): m is string => m !== undefined).join(', ');
  return { ok: true, response: { accepted: false, message } };
}
