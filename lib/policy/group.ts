/**
 * Policy group expressions (docs/host-interface.md §6.1): each member is a zero-argument function returning whether it accepted
 * the request; `&&`, `||` (both short-circuit), `!`, `==`, `!=`, parentheses and `true`/`false`. That is the
 * subset the Kubewarden controller accepts (it compiles the expression as CEL with only these operators and one
 * function per member) and that policy-server's Rhai engine evaluates.
 */

import type { EvaluatedResponse } from '../admission/response';
import type { StatusCause } from '../kube/admission-review';

export type GroupExpr =
  | { type: 'call'; name: string; pos: number }
  | { type: 'literal'; value: boolean; pos: number }
  | { type: 'not'; operand: GroupExpr; pos: number }
  | { type: 'and' | 'or' | 'eq' | 'ne'; left: GroupExpr; right: GroupExpr; pos: number };

/** A syntax error or a reference to an unknown member, with the 0-based column. */
export class GroupExpressionError extends Error {
  override name = 'GroupExpressionError';
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(message);
  }
}

type Token = { kind: 'ident' | 'op' | 'lparen' | 'rparen' | 'end'; text: string; pos: number };

const IDENT = /[_a-zA-Z][_a-zA-Z0-9]*/y;
const OPS = ['&&', '||', '==', '!=', '!'];

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      out.push({ kind: c === '(' ? 'lparen' : 'rparen', text: c, pos: i });
      i++;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op) {
      out.push({ kind: 'op', text: op, pos: i });
      i += op.length;
      continue;
    }
    IDENT.lastIndex = i;
    const m = IDENT.exec(src);
    if (m) {
      out.push({ kind: 'ident', text: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    throw new GroupExpressionError(
      `unexpected character ${JSON.stringify(c)}: only member calls like name(), &&, ||, !, ==, != and parentheses are allowed`,
      i,
    );
  }
  out.push({ kind: 'end', text: '', pos: src.length });
  return out;
}

/** Parses a group expression. Precedence, lowest first: `||`, `&&`, `==`/`!=`, `!`. */
export function parseGroupExpression(src: string): GroupExpr {
  if (src.trim() === '') throw new GroupExpressionError('must be non-empty', 0);
  const tokens = tokenize(src);
  let at = 0;
  const peek = (): Token => tokens[at];
  const next = (): Token => tokens[at++];
  const describe = (t: Token): string => (t.kind === 'end' ? 'the end of the expression' : JSON.stringify(t.text));
  const binary = (type: 'and' | 'or', op: string, sub: () => GroupExpr) => (): GroupExpr => {
    let left = sub();
    while (peek().kind === 'op' && peek().text === op) {
      const pos = next().pos;
      left = { type, left, right: sub(), pos };
    }
    return left;
  };
  const primary = (): GroupExpr => {
    const t = next();
    if (t.kind === 'op' && t.text === '!') return { type: 'not', operand: primary(), pos: t.pos };
    if (t.kind === 'lparen') {
      const e = or();
      const close = next();
      if (close.kind !== 'rparen')
        throw new GroupExpressionError(`expected ")" but found ${describe(close)}`, close.pos);
      return e;
    }
    if (t.kind === 'ident') {
      if (t.text === 'true' || t.text === 'false') return { type: 'literal', value: t.text === 'true', pos: t.pos };
      const open = next();
      if (open.kind !== 'lparen') {
        throw new GroupExpressionError(
          `${t.text} must be called as ${t.text}(): group members are functions`,
          open.pos,
        );
      }
      const close = next();
      if (close.kind !== 'rparen') throw new GroupExpressionError(`${t.text}() takes no arguments`, close.pos);
      return { type: 'call', name: t.text, pos: t.pos };
    }
    throw new GroupExpressionError(`unexpected ${describe(t)}`, t.pos);
  };
  const equality = (): GroupExpr => {
    let left = primary();
    while (peek().kind === 'op' && (peek().text === '==' || peek().text === '!=')) {
      const t = next();
      left = { type: t.text === '==' ? 'eq' : 'ne', left, right: primary(), pos: t.pos };
    }
    return left;
  };
  const and = binary('and', '&&', equality);
  const or = binary('or', '||', and);
  const e = or();
  const rest = peek();
  if (rest.kind !== 'end') throw new GroupExpressionError(`unexpected ${describe(rest)}`, rest.pos);
  return e;
}

/** Member names called by the expression, in order of first appearance. */
export function calledMembers(e: GroupExpr): string[] {
  const out: string[] = [];
  const visit = (x: GroupExpr): void => {
    switch (x.type) {
      case 'call':
        if (!out.includes(x.name)) out.push(x.name);
        return;
      case 'literal':
        return;
      case 'not':
        visit(x.operand);
        return;
      default:
        visit(x.left);
        visit(x.right);
    }
  };
  visit(e);
  return out;
}

/** Throws GroupExpressionError for a call to a name that is not a member (policy-server's start-up check). */
export function checkMembers(e: GroupExpr, members: readonly string[]): void {
  const visit = (x: GroupExpr): void => {
    if (x.type === 'call') {
      if (!members.includes(x.name))
        throw new GroupExpressionError(
          `${x.name}() is not a member of the group (members: ${members.join(', ')})`,
          x.pos,
        );
    } else if (x.type === 'not') visit(x.operand);
    else if (x.type !== 'literal') {
      visit(x.left);
      visit(x.right);
    }
  };
  visit(e);
}

/**
 * Evaluates with short-circuit semantics: `member(name)` is asked only for the members the evaluation reaches,
 * which are then the "evaluated" members whose rejections become causes. Throws GroupExpressionError when a
 * member is unknown at evaluation time.
 */
export function evaluateGroupExpression(e: GroupExpr, member: (name: string) => boolean | undefined): boolean {
  switch (e.type) {
    case 'literal':
      return e.value;
    case 'call': {
      const v = member(e.name);
      if (v === undefined) throw new GroupExpressionError(`Function not found: ${e.name} ()`, e.pos);
      return v;
    }
    case 'not':
      return !evaluateGroupExpression(e.operand, member);
    case 'and':
      return evaluateGroupExpression(e.left, member) && evaluateGroupExpression(e.right, member);
    case 'or':
      return evaluateGroupExpression(e.left, member) || evaluateGroupExpression(e.right, member);
    case 'eq':
      return evaluateGroupExpression(e.left, member) === evaluateGroupExpression(e.right, member);
    case 'ne':
      return evaluateGroupExpression(e.left, member) !== evaluateGroupExpression(e.right, member);
  }
}

/** Names a member may have (Kubewarden controller: an identifier that is not a CEL reserved word). */
export const MEMBER_NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
export const RESERVED_MEMBER_NAMES = new Set([
  'true',
  'false',
  'null',
  'in',
  'as',
  'break',
  'const',
  'continue',
  'else',
  'for',
  'function',
  'if',
  'import',
  'let',
  'loop',
  'package',
  'namespace',
  'return',
  'var',
  'void',
  'while',
]);

/** The message policy-server puts in a member's cause when the member returned a patch. */
export const GROUP_MUTATION_MESSAGE = 'mutation is not allowed inside of policy group';

// ---------------------------------------------------------------------------------------------------------------
// The group's AdmissionResponse (policy-evaluator's PolicyGroupEvaluator::validate).
// ---------------------------------------------------------------------------------------------------------------

/** One member's evaluation, already turned into an AdmissionResponse (docs/host-interface.md §1.5). */
export interface GroupMemberResponse {
  name: string;
  response: EvaluatedResponse;
}

/**
 * The group's response: the expression decides; when it is false the status message is the group's message and
 * every member the evaluation reached that rejected (or tried to mutate) becomes a cause
 * `{field: "spec.policies.<member>", message}`, in declaration order. Members never mutate and their warnings
 * are dropped. An expression error is a rejection with code 500.
 */
export function groupResponse(
  uid: string,
  expr: GroupExpr,
  message: string,
  members: readonly GroupMemberResponse[],
): EvaluatedResponse {
  const byName = new Map(members.map((m) => [m.name, m.response]));
  const evaluated = new Map<string, { allowed: boolean; message?: string }>();
  let allowed: boolean;
  try {
    allowed = evaluateGroupExpression(expr, (name) => {
      const r = byName.get(name);
      if (!r) return undefined;
      if (r.response.patch !== undefined) {
        evaluated.set(name, { allowed: false, message: GROUP_MUTATION_MESSAGE });
        return false;
      }
      const m = r.response.status?.message;
      evaluated.set(
        name,
        m !== undefined ? { allowed: r.response.allowed, message: m } : { allowed: r.response.allowed },
      );
      return r.response.allowed;
    });
  } catch (err) {
    return {
      response: {
        uid,
        allowed: false,
        status: { message: `error evaluating policy group expression: ${(err as Error).message}`, code: 500 },
      },
    };
  }
  if (allowed) return { response: { uid, allowed: true } };
  const causes: StatusCause[] = [];
  for (const m of members) {
    const r = evaluated.get(m.name);
    if (r && !r.allowed)
      causes.push(
        r.message !== undefined
          ? { field: `spec.policies.${m.name}`, message: r.message }
          : { field: `spec.policies.${m.name}` },
      );
  }
  return { response: { uid, allowed: false, status: { message, details: { causes } } } };
}
