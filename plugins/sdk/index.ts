// Guest SDK for Kubewarden waPC policies written in AssemblyScript.
//
// A policy's assembly/index.ts:
//
//   import { registerPolicy, ValidationRequest, ValidationResponse } from "../../sdk";
//   export { __guest_call } from "../../sdk/wapc";
//   export function wapc_init(): void { registerPolicy(validate); }
//   function validate(req: ValidationRequest): ValidationResponse { ... }
//
// Build with plugins/build.mjs (it routes AssemblyScript's abort to sdk/wapc/guestAbort, so the
// module imports nothing but `wapc` functions).

export { JValue, JType, JSONParser, ParseResult, parseJSON, parseJSONBytes, quote } from "./json";
export { HandlerResult, Handler, registerFunction, consoleLog } from "./wapc";
export {
  ValidationRequest,
  ValidationResponse,
  SettingsValidation,
  ValidateFn,
  SettingsFn,
  registerPolicy,
  checkKeys,
  checkBool,
  getBool,
  describeType,
} from "./protocol";
export {
  PodSpecRef,
  ContainerRef,
  podSpecs,
  containersOf,
  Violations,
  show,
  joinList,
  joinQuoted,
  CONTAINERS,
  INIT_CONTAINERS,
  EPHEMERAL_CONTAINERS,
  ALL_CONTAINERS,
  TEMPLATE_KINDS,
  PodCheck,
  VolumeRef,
  volumesOf,
  validatePods,
  requireInheritedField,
  checkSecurityContexts,
  SecurityContextCheck,
  SecurityField,
  AllowedValue,
} from "./pod";
