// waPC guest glue (guest side of the protocol in shared/spec/kubewarden-host.md §1).
//
// The module imports only from the "wapc" namespace. Policies re-export `__guest_call`
// from this file and define their own `wapc_init` that registers handlers.

@external("wapc", "__guest_request")
declare function __guest_request(op_ptr: usize, payload_ptr: usize): void;

@external("wapc", "__guest_response")
declare function __guest_response(ptr: usize, len: usize): void;

@external("wapc", "__guest_error")
declare function __guest_error(ptr: usize, len: usize): void;

@external("wapc", "__console_log")
declare function __console_log(ptr: usize, len: usize): void;

/** Result of a handler: either a response payload or an error text. */
export class HandlerResult {
  constructor(public ok: bool, public data: ArrayBuffer, public error: string) {}

  static success(data: ArrayBuffer): HandlerResult {
    return new HandlerResult(true, data, "");
  }

  static successString(text: string): HandlerResult {
    return new HandlerResult(true, String.UTF8.encode(text), "");
  }

  static failure(message: string): HandlerResult {
    return new HandlerResult(false, new ArrayBuffer(0), message);
  }
}

/** A waPC operation handler: raw payload bytes in, response or error out. */
export type Handler = (payload: ArrayBuffer) => HandlerResult;

const handlerNames = new Array<string>();
/** The names as UTF-8, to match the operation's bytes without decoding them */
const handlerNameBytes = new Array<ArrayBuffer>();
const handlerFns = new Array<Handler>();

/** Registers (or replaces) the handler of an operation. */
export function registerFunction(name: string, fn: Handler): void {
  for (let i = 0; i < handlerNames.length; i++) {
    if (handlerNames[i] == name) {
      handlerFns[i] = fn;
      return;
    }
  }
  handlerNames.push(name);
  handlerNameBytes.push(String.UTF8.encode(name));
  handlerFns.push(fn);
}

function protocolVersion(payload: ArrayBuffer): HandlerResult {
  return HandlerResult.successString('"v1"');
}

// Kubewarden asks every waPC policy for its protocol version (kwctl annotate does).
registerFunction("protocol_version", protocolVersion);

function sendError(message: string): void {
  const buf = String.UTF8.encode(message);
  __guest_error(changetype<usize>(buf), <usize>buf.byteLength);
}

/**
 * Calls between two full collections. The guest is built with AssemblyScript's minimal runtime
 * (plugins/build.mjs): no collector runs during a call. A host that keeps the instance across calls gets one
 * full collection every COLLECT_EVERY calls, so its memory stays bounded; a host that starts every evaluation
 * from a fresh instance (policy-server, this project's host) never reaches the count and pays nothing.
 */
const COLLECT_EVERY = 16;
let callsSinceCollect = 0;

/** The waPC entry point: fetch the request, dispatch it, send the response or error. */
export function __guest_call(op_len: i32, payload_len: i32): i32 {
  const ok = dispatch(op_len, payload_len);
  if (++callsSinceCollect >= COLLECT_EVERY) {
    // Nothing of the call is referenced any more: the host copied the response during __guest_response.
    __collect();
    callsSinceCollect = 0;
  }
  return ok;
}

function dispatch(op_len: i32, payload_len: i32): i32 {
  if (op_len < 0 || payload_len < 0) {
    sendError("invalid operation or payload length");
    return 0;
  }
  const opBuf = new ArrayBuffer(op_len);
  const payload = new ArrayBuffer(payload_len);
  __guest_request(changetype<usize>(opBuf), changetype<usize>(payload));

  let found = -1;
  for (let i = 0; i < handlerNameBytes.length; i++) {
    const name = unchecked(handlerNameBytes[i]);
    if (name.byteLength == op_len && memory.compare(changetype<usize>(name), changetype<usize>(opBuf), <usize>op_len) == 0) {
      found = i;
      break;
    }
  }
  // not the same bytes: compare the decoded text, as a name is matched by its text
  const op = found < 0 ? String.UTF8.decode(opBuf) : "";
  if (found < 0) found = handlerNames.indexOf(op);
  if (found < 0) {
    sendError("No handler registered for function " + op);
    return 0;
  }
  const fn = handlerFns[found];
  const result = fn(payload);
  if (result.ok) {
    const data = result.data;
    __guest_response(changetype<usize>(data), <usize>data.byteLength);
    return 1;
  }
  sendError(result.error);
  return 0;
}

/** Writes a message to the host log (`__console_log`). */
export function consoleLog(message: string): void {
  const buf = String.UTF8.encode(message);
  __console_log(changetype<usize>(buf), <usize>buf.byteLength);
}

/**
 * Replacement for AssemblyScript's `abort` (selected with `--use abort=sdk/wapc/guestAbort`):
 * reports the failure through `__guest_error` and traps, so no `env.abort` import exists.
 */
export function guestAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let text = "policy aborted";
  if (message !== null) text += ": " + message;
  if (fileName !== null) text += " (" + fileName + ":" + line.toString() + ":" + column.toString() + ")";
  sendError(text);
  unreachable();
}
