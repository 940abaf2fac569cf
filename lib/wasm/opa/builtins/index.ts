import { DEBUGGING_BUILTINS } from './debugging';
import { ENCODING_BUILTINS } from './encoding';
import { GLOB_BUILTINS } from './glob';
import { JSON_BUILTINS } from './json';
import { REGEX_BUILTINS } from './regex';
import { SEMVER_BUILTINS } from './semver';
import { STRINGS_BUILTINS } from './strings';
import { TIME_BUILTINS } from './time';
import { BuiltinError, type Builtin, type BuiltinContext } from './types';
import { YAML_BUILTINS } from './yaml';
import type { RegoValue } from '../value';

export { BuiltinError, OperandError, type Builtin, type BuiltinContext, type BuiltinFn } from './types';

/**
 * The host builtins: exactly the set burrego provides (docs/host-interface.md §4.1, burrego `builtins/mod.rs`). Builtins OPA
 * compiles into Wasm itself (count, concat, startswith, ...) never reach the host.
 */
export const REGO_BUILTINS: ReadonlyMap<string, Builtin> = new Map(
  Object.entries({
    ...DEBUGGING_BUILTINS,
    ...ENCODING_BUILTINS,
    ...YAML_BUILTINS,
    ...GLOB_BUILTINS,
    ...JSON_BUILTINS,
    ...REGEX_BUILTINS,
    ...SEMVER_BUILTINS,
    ...STRINGS_BUILTINS,
    ...TIME_BUILTINS,
  }),
);

/** Runs a builtin by name; errors come out as BuiltinError (`<name>: <OPA message>`). `undefined` = undefined. */
export function callBuiltin(
  name: string,
  args: RegoValue[],
  ctx: BuiltinContext,
  builtins: ReadonlyMap<string, Builtin> = REGO_BUILTINS,
): RegoValue | undefined {
  const b = builtins.get(name);
  if (!b) throw new BuiltinError(name, 'builtin not implemented');
  if (args.length !== b.arity)
    throw new BuiltinError(name, `wrong number of arguments given: expected ${b.arity}, got ${args.length}`);
  try {
    return b.fn(args, ctx);
  } catch (err) {
    if (err instanceof BuiltinError) throw err;
    throw new BuiltinError(name, err instanceof Error ? err.message : String(err));
  }
}
