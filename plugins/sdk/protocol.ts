// Kubewarden policy protocol on top of waPC: ValidationRequest in, ValidationResponse out,
// settings validation. See shared/spec/kubewarden-host.md §1.4.

import { JValue, parseJSONBytes, quote } from "./json";
import { HandlerResult, registerFunction } from "./wapc";

/** `{"request": <AdmissionRequest>, "settings": {...}}` */
export class ValidationRequest {
  constructor(public request: JValue, public settings: JValue) {}

  /** request.object, or null when absent (DELETE) or not an object. */
  get object(): JValue | null {
    return this.request.obj("object");
  }

  /** request.operation ("" when absent). */
  get operation(): string {
    const op = this.request.str("operation");
    return op !== null ? op : "";
  }

  /** Kind of the object: object.kind, falling back to request.kind.kind. */
  get kind(): string {
    const o = this.object;
    if (o !== null) {
      const k = o.str("kind");
      if (k !== null) return k;
    }
    const rk = this.request.obj("kind");
    if (rk !== null) {
      const k = rk.str("kind");
      if (k !== null) return k;
    }
    return "";
  }
}

/** ValidationResponse as defined by the Kubewarden SDKs. */
export class ValidationResponse {
  accepted: bool = true;
  message: string | null = null;
  code: i32 = 0; // 0 = null
  mutatedObject: JValue | null = null;
  warnings: Array<string> | null = null;

  static accept(): ValidationResponse {
    return new ValidationResponse();
  }

  static reject(message: string, code: i32 = 0): ValidationResponse {
    const r = new ValidationResponse();
    r.accepted = false;
    r.message = message;
    r.code = code;
    return r;
  }

  static mutate(mutated: JValue): ValidationResponse {
    const r = new ValidationResponse();
    r.mutatedObject = mutated;
    return r;
  }

  addWarning(w: string): ValidationResponse {
    let ws = this.warnings;
    if (ws === null) {
      ws = new Array<string>();
      this.warnings = ws;
    }
    ws.push(w);
    return this;
  }

  /** True for a plain acceptance: no message, code, mutation or warnings. */
  get isPlainAccept(): bool {
    return this.accepted && this.message === null && this.code == 0 && this.mutatedObject === null && this.warnings === null;
  }

  toJSON(): string {
    let s = '{"accepted":' + (this.accepted ? "true" : "false");
    const msg = this.message;
    s += ',"message":' + (msg !== null ? quote(msg) : "null");
    s += ',"code":' + (this.code != 0 ? this.code.toString() : "null");
    const m = this.mutatedObject;
    s += ',"mutated_object":' + (m !== null ? m.toJSON() : "null");
    const ws = this.warnings;
    if (ws === null) {
      s += ',"warnings":null';
    } else {
      s += ',"warnings":[';
      for (let i = 0; i < ws.length; i++) {
        if (i > 0) s += ",";
        s += quote(ws[i]);
      }
      s += "]";
    }
    return s + "}";
  }
}

/** SettingsValidationResponse: `{"valid": bool, "message": string|null}` */
export class SettingsValidation {
  constructor(public valid: bool, public message: string | null) {}

  static ok(): SettingsValidation {
    return new SettingsValidation(true, null);
  }

  static invalid(message: string): SettingsValidation {
    return new SettingsValidation(false, message);
  }

  toJSON(): string {
    const msg = this.message;
    return '{"valid":' + (this.valid ? "true" : "false") + ',"message":' + (msg !== null ? quote(msg) : "null") + "}";
  }
}

export type ValidateFn = (req: ValidationRequest) => ValidationResponse;
/** Returns null when the settings are valid, else the reason. */
export type SettingsFn = (settings: JValue) => string | null;

let validateFn: ValidateFn | null = null;
let settingsFn: SettingsFn | null = null;

const NONE = new Array<string>(0);

function noSettings(settings: JValue): string | null {
  return checkKeys(settings, NONE);
}

/** The UTF-8 reply of a plain acceptance, the most common one: encoded once, at start-up. */
const PLAIN_ACCEPT = String.UTF8.encode('{"accepted":true,"message":null,"code":null,"mutated_object":null,"warnings":null}');

function handleValidate(payload: ArrayBuffer): HandlerResult {
  const parsed = parseJSONBytes(payload);
  const root = parsed.value;
  if (root === null) return HandlerResult.failure("cannot parse ValidationRequest: " + parsed.error);
  if (!root.isObject()) return HandlerResult.failure("cannot parse ValidationRequest: not a JSON object");
  const request = root.get("request");
  if (request === null) return HandlerResult.failure("cannot parse ValidationRequest: missing field `request`");
  let settings = root.get("settings");
  if (settings === null || settings.isNull()) settings = JValue.newObject();
  const sfn = settingsFn;
  const serr = sfn !== null ? sfn(settings) : noSettings(settings);
  if (serr !== null) return HandlerResult.failure("invalid settings: " + serr);
  const vfn = validateFn;
  if (vfn === null) return HandlerResult.failure("no validate function registered");
  const resp = vfn(new ValidationRequest(request, settings));
  if (resp.isPlainAccept) return HandlerResult.success(PLAIN_ACCEPT);
  return HandlerResult.successString(resp.toJSON());
}

function handleValidateSettings(payload: ArrayBuffer): HandlerResult {
  const parsed = parseJSONBytes(payload);
  let settings = parsed.value;
  if (settings === null) {
    return HandlerResult.successString(SettingsValidation.invalid("cannot parse settings: " + parsed.error).toJSON());
  }
  if (settings.isNull()) settings = JValue.newObject();
  const sfn = settingsFn;
  const err = sfn !== null ? sfn(settings) : noSettings(settings);
  const resp = err === null ? SettingsValidation.ok() : SettingsValidation.invalid(err);
  return HandlerResult.successString(resp.toJSON());
}

/**
 * Registers the policy: `validate` and `validate_settings` operations (`protocol_version` is always
 * registered). Without a settings function, any setting is rejected.
 */
export function registerPolicy(validate: ValidateFn, settings: SettingsFn | null = null): void {
  validateFn = validate;
  settingsFn = settings;
  registerFunction("validate", handleValidate);
  registerFunction("validate_settings", handleValidateSettings);
}

// ------------------------------------------------------------------------------------------------
// Settings helpers

function typeName(v: JValue): string {
  if (v.isNull()) return "null";
  if (v.isBool()) return "a boolean";
  if (v.isNumber()) return "a number";
  if (v.isString()) return "a string";
  if (v.isArray()) return "an array";
  return "an object";
}

/** Describes the JSON type of a value ("a string", "an array", ...). */
export function describeType(v: JValue): string {
  return typeName(v);
}

/**
 * Checks that settings is an object whose keys are all in `allowed`. Returns the error or null.
 */
export function checkKeys(settings: JValue, allowed: Array<string>): string | null {
  if (!settings.isObject()) return "settings must be a JSON object, got " + typeName(settings);
  for (let i = 0; i < settings.length; i++) {
    const k = settings.keyAt(i);
    if (!allowed.includes(k)) {
      if (allowed.length == 0) return "unknown setting " + quote(k) + ": this policy takes no settings";
      let list = "";
      for (let j = 0; j < allowed.length; j++) {
        if (j > 0) list += ", ";
        list += allowed[j];
      }
      return "unknown setting " + quote(k) + "; valid settings are: " + list;
    }
  }
  return null;
}

/** Error text if settings[key] is present, not null, and not a boolean. */
export function checkBool(settings: JValue, key: string): string | null {
  const v = settings.field(key);
  if (v === null || v.isBool()) return null;
  return "setting " + quote(key) + " must be a boolean, got " + typeName(v);
}

/** settings[key] as a boolean, or the default when absent/null. Call checkBool first. */
export function getBool(settings: JValue, key: string, dflt: bool): bool {
  const v = settings.field(key);
  if (v === null || !v.isBool()) return dflt;
  return v.boolValue;
}
