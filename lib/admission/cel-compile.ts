import { Environment } from '@marcbachmann/cel-js';
import { AUTHORIZER, firstLine, type CompiledCondition, type MatchCondition } from './cel';

// Compiling match conditions (./cel.ts has the rest): apart so that runs without any condition never load the
// CEL library (~15 ms of start-up).

let env: Environment | undefined;

function environment(): Environment {
  if (env) return env;
  const e = new Environment({
    enableOptionalTypes: true,
    homogeneousAggregateLiterals: false,
    limits: { maxAstNodes: 10000, maxDepth: 100, maxListElements: 1000, maxMapEntries: 1000, maxCallArguments: 32 },
  })
    .registerVariable('object', 'dyn')
    .registerVariable('oldObject', 'dyn')
    .registerVariable('request', 'dyn')
    .registerVariable('namespaceObject', 'dyn')
    .registerVariable('authorizer', 'dyn');
  // cel-go strings extension functions Kubernetes enables that the library does not ship.
  e.registerFunction('string.replace(string, string): string', (s: string, from: string, to: string) =>
    s.split(from).join(to),
  );
  e.registerFunction('string.replace(string, string, int): string', (s: string, from: string, to: string, n: bigint) =>
    replaceN(s, from, to, Number(n)),
  );
  e.registerFunction('string.reverse(): string', (s: string) => [...s].reverse().join(''));
  // Kubernetes regex library.
  e.registerFunction('string.find(string): string', (s: string, re: string) => new RegExp(re, 'u').exec(s)?.[0] ?? '');
  e.registerFunction('string.findAll(string): list<string>', (s: string, re: string) =>
    [...s.matchAll(new RegExp(re, 'gu'))].map((m) => m[0]),
  );
  e.registerFunction('string.findAll(string, int): list<string>', (s: string, re: string, n: bigint) => {
    const all = [...s.matchAll(new RegExp(re, 'gu'))].map((m) => m[0]);
    return n < 0n ? all : all.slice(0, Number(n));
  });
  // Kubernetes lists library.
  e.registerFunction('list.isSorted(): bool', (l: unknown[]) =>
    l.every((x, i) => i === 0 || compare(l[i - 1], x) <= 0),
  );
  e.registerFunction('list.sum(): dyn', (l: unknown[]) => l.reduce((a, b) => add(a, b)));
  e.registerFunction('list.min(): dyn', (l: unknown[]) => extreme(l, -1));
  e.registerFunction('list.max(): dyn', (l: unknown[]) => extreme(l, 1));
  e.registerFunction('list.indexOf(dyn): int', (l: unknown[], x: unknown) =>
    BigInt(l.findIndex((y) => deepEqual(x, y))),
  );
  e.registerFunction('list.lastIndexOf(dyn): int', (l: unknown[], x: unknown) => {
    for (let i = l.length - 1; i >= 0; i--) if (deepEqual(x, l[i])) return BigInt(i);
    return -1n;
  });
  env = e;
  return e;
}

function replaceN(s: string, from: string, to: string, n: number): string {
  if (n < 0) return s.split(from).join(to);
  let out = s;
  let at = 0;
  for (let i = 0; i < n; i++) {
    const j = out.indexOf(from, at);
    if (j < 0) break;
    out = out.slice(0, j) + to + out.slice(j + from.length);
    at = j + to.length;
  }
  return out;
}

function compare(a: unknown, b: unknown): number {
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
    const x = Number(a);
    const y = Number(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new Error(`no such overload: comparing ${typeof a} with ${typeof b}`);
}

function add(a: unknown, b: unknown): unknown {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a + b;
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  throw new Error('no such overload: sum() needs a list of ints or of doubles');
}

function extreme(l: unknown[], sign: number): unknown {
  if (l.length === 0) throw new Error(`${sign < 0 ? 'min' : 'max'}() called on an empty list`);
  return l.reduce((m, x) => (compare(x, m) * sign > 0 ? x : m));
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'bigint' || typeof b === 'bigint' || typeof a === 'number' || typeof b === 'number') {
    return (
      (typeof a === 'bigint' || typeof a === 'number') &&
      (typeof b === 'bigint' || typeof b === 'number') &&
      Number(a) === Number(b)
    );
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

export class CelCompileError extends Error {
  override name = 'CelCompileError';
}

/**
 * Compiles a match condition. Throws CelCompileError (syntax errors, unknown variables or functions, a result
 * that cannot be a bool), as the API server refuses such a webhook configuration.
 */
export function compileCondition(c: MatchCondition): CompiledCondition {
  let parsed: ReturnType<Environment['parse']>;
  try {
    parsed = environment().parse(c.expression);
  } catch (err) {
    throw new CelCompileError(`compilation failed: ${firstLine(err)}`);
  }
  const checked = parsed.check() as { valid: boolean; type?: string; error?: unknown };
  if (!checked.valid && AUTHORIZER.test(c.expression)) {
    // The API server compiles authorizer calls; here they cannot run: accept the condition, fail its evaluation.
    return {
      name: c.name,
      expression: c.expression,
      run: () => {
        throw new Error('the authorizer library is not available in kubectl-wasmpolicy');
      },
    };
  }
  if (!checked.valid) throw new CelCompileError(`compilation failed: ${firstLine(checked.error)}`);
  if (checked.type !== undefined && checked.type !== 'bool' && checked.type !== 'dyn') {
    throw new CelCompileError(`must evaluate to bool but got ${checked.type}`);
  }
  return {
    name: c.name,
    expression: c.expression,
    run: (activation) => parsed(activation as unknown as Record<string, unknown>),
  };
}
