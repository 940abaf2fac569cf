import { OperandError, intOperand, stringOperand, type Builtin } from './types';

/**
 * Go's regexp (RE2 syntax) on top of JS RegExp (unicode mode). The syntax is translated: `(?P<name>`, leading
 * inline flags, `\A` `\z` `\Q..\E` `\pN` `\x{..}` octal escapes, POSIX classes, Go's ASCII `\s`, literal `{`
 * `}` `]` where Go reads them literally, and escaped punctuation. Go rejects what RE2 lacks (lookaround,
 * backreferences), so do we. Matching is leftmost-first in both engines.
 */
export class GoRegexpError extends OperandError {}

const fail = (code: string, expr: string): never => {
  throw new GoRegexpError(`error parsing regexp: ${code}: \`${expr}\``);
};

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7f',
  blank: '\\t ',
  cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const JS_SYNTAX = new Set([...'^$\\.*+?()[]{}|/']);
const PERL_CLASSES: Record<string, string> = { d: '0-9', w: '0-9A-Za-z_', s: '\\t\\n\\f\\r ' };

/** A literal character for the JS pattern (inside or outside a class). */
function lit(ch: string, inClass: boolean): string {
  if (JS_SYNTAX.has(ch) || (inClass && ch === '-')) return `\\${ch}`;
  const cp = ch.codePointAt(0)!;
  if (cp < 0x20 || cp === 0x7f) return `\\x${cp.toString(16).padStart(2, '0')}`;
  return ch;
}

function unicodeClass(name: string, negated: boolean): string {
  const p = negated ? 'P' : 'p';
  if (name === 'Any') return negated ? '[^\\s\\S]' : '[\\s\\S]';
  return /^[A-Z][a-z]?$/.test(name) ? `\\${p}{${name}}` : `\\${p}{Script=${name}}`;
}

interface Translated {
  source: string;
  flags: string;
}

/** Translates a Go regexp to a JS RegExp source and flags; throws GoRegexpError with Go's wording where it can. */
export function translateGoRegexp(expr: string): Translated {
  let i = 0;
  let flags = 'u';
  // leading inline flags, e.g. (?i) or (?is)
  const lead = /^\(\?([imsU]+)\)/.exec(expr);
  if (lead) {
    for (const f of lead[1]) {
      if (f === 'U') fail('invalid or unsupported Perl syntax', '(?U');
      if (!flags.includes(f)) flags += f;
    }
    i = lead[0].length;
  }
  let out = '';
  let depth = 0;
  let atomEnd = false; // whether a quantifier may follow
  const chars = [...expr]; // code points; `i` indexes this array (the leading flags are ASCII)

  const escape = (inClass: boolean): string => {
    const c = chars[i + 1];
    if (c === undefined) fail('trailing backslash at end of expression', '');
    i += 2;
    if (c >= '1' && c <= '7' && !(chars[i] >= '0' && chars[i] <= '7')) fail('invalid escape sequence', `\\${c}`);
    if (c >= '0' && c <= '7') {
      let digits = c;
      while (digits.length < 3 && chars[i] >= '0' && chars[i] <= '7') digits += chars[i++];
      return `\\u{${parseInt(digits, 8).toString(16)}}`;
    }
    switch (c) {
      case 'a':
        return '\\x07';
      case 'f':
      case 't':
      case 'n':
      case 'r':
      case 'v':
        return `\\${c}`;
      case 'd':
      case 'D':
      case 'w':
      case 'W':
        return `\\${c}`;
      case 's':
        return inClass ? PERL_CLASSES.s : `[${PERL_CLASSES.s}]`;
      case 'S':
        return inClass ? '\\S' : `[^${PERL_CLASSES.s}]`;
      case 'b':
      case 'B':
        if (inClass) fail('invalid escape sequence', `\\${c}`);
        return `\\${c}`;
      case 'A':
        if (inClass) fail('invalid escape sequence', '\\A');
        return '(?<![\\s\\S])';
      case 'z':
        if (inClass) fail('invalid escape sequence', '\\z');
        return '(?![\\s\\S])';
      case 'x': {
        if (chars[i] === '{') {
          const close = chars.indexOf('}', i);
          const hex = chars.slice(i + 1, close).join('');
          if (close < 0 || !/^[0-9A-Fa-f]{1,6}$/.test(hex) || parseInt(hex, 16) > 0x10ffff)
            fail('invalid escape sequence', `\\x${chars.slice(i, close + 1).join('')}`);
          i = close + 1;
          return `\\u{${hex}}`;
        }
        const hex = (chars[i] ?? '') + (chars[i + 1] ?? '');
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) fail('invalid escape sequence', `\\x${hex}`);
        i += 2;
        return `\\x${hex}`;
      }
      case 'p':
      case 'P': {
        let name: string;
        if (chars[i] === '{') {
          const close = chars.indexOf('}', i);
          if (close < 0) fail('invalid character class range', `\\${c}${chars.slice(i).join('')}`);
          name = chars.slice(i + 1, close).join('');
          i = close + 1;
        } else {
          name = chars[i++] ?? '';
        }
        let negated = c === 'P';
        if (name.startsWith('^')) {
          negated = !negated;
          name = name.slice(1);
        }
        if (!/^[A-Za-z_]+$/.test(name)) fail('invalid character class range', `\\${c}{${name}}`);
        return unicodeClass(name, negated);
      }
      case 'Q': {
        let j = i;
        while (j < chars.length && !(chars[j] === '\\' && chars[j + 1] === 'E')) j++;
        const text = chars.slice(i, j);
        i = j < chars.length ? j + 2 : j;
        return text.map((ch) => lit(ch, inClass)).join('');
      }
    }
    if (/[0-9A-Za-z_]/.test(c)) fail('invalid escape sequence', `\\${c}`);
    return lit(c, inClass);
  };

  const charClass = (): string => {
    const start = i;
    let s = '[';
    i++;
    if (chars[i] === '^') {
      s += '^';
      i++;
    }
    let first = true;
    for (;;) {
      const c = chars[i];
      if (c === undefined) fail('missing closing ]', chars.slice(start).join(''));
      if (c === ']' && !first) {
        i++;
        break;
      }
      first = false;
      if (c === '[' && chars[i + 1] === ':') {
        const close = chars.indexOf(']', i);
        const m = /^\[:(\^?)([a-z]+):\]$/.exec(chars.slice(i, close + 1).join(''));
        if (m && POSIX[m[2]] !== undefined) {
          if (m[1]) fail('invalid character class range', m[0]); // negated POSIX classes inside a class: rare; refuse clearly
          s += POSIX[m[2]];
          i = close + 1;
          continue;
        }
      }
      if (c === '\\') {
        s += escape(true);
        continue;
      }
      s += c === '-' && chars[i + 1] !== ']' && s.length > 1 && !s.endsWith('[^') ? '-' : lit(c, true);
      i++;
    }
    return s + ']';
  };

  while (i < chars.length) {
    const c = chars[i];
    switch (c) {
      case '\\': {
        const e = escape(false);
        out += e;
        atomEnd = !['\\b', '\\B', '(?<![\\s\\S])', '(?![\\s\\S])'].includes(e);
        continue;
      }
      case '[':
        out += charClass();
        atomEnd = true;
        continue;
      case '(': {
        if (chars[i + 1] === '?') {
          const rest = chars.slice(i, i + 4).join('');
          if (rest.startsWith('(?P<') || (rest.startsWith('(?<') && chars[i + 3] !== '=' && chars[i + 3] !== '!')) {
            const open = rest.startsWith('(?P<') ? i + 4 : i + 3;
            const close = chars.indexOf('>', open);
            const name = chars.slice(open, close).join('');
            if (close < 0 || !/^[A-Za-z0-9_]+$/.test(name))
              fail('invalid named capture', chars.slice(i, close + 1).join(''));
            out += `(?<${/^[0-9]/.test(name) ? `_${name}` : name}>`;
            i = close + 1;
          } else if (rest.startsWith('(?:')) {
            out += '(?:';
            i += 3;
          } else if (/^\(\?[imsU-]+[:)]/.test(chars.slice(i, i + 12).join(''))) {
            // valid RE2, but JS RegExp (Node 20) has no scoped flags
            const flagsText = /^\(\?[imsU-]+[:)]/.exec(chars.slice(i, i + 12).join(''))![0];
            throw new GoRegexpError(
              `error parsing regexp: inline flags are supported only at the start of the pattern: \`${flagsText}\``,
            );
          } else {
            fail('invalid or unsupported Perl syntax', chars.slice(i, i + 3).join(''));
          }
        } else {
          out += '(';
          i++;
        }
        depth++;
        atomEnd = false;
        continue;
      }
      case ')':
        if (depth === 0) fail('unexpected )', expr);
        depth--;
        out += ')';
        i++;
        atomEnd = true;
        continue;
      case '*':
      case '+':
      case '?': {
        if (!atomEnd) fail('missing argument to repetition operator', c);
        out += c;
        i++;
        if (chars[i] === '?') {
          out += '?';
          i++;
        }
        if (chars[i] === '*' || chars[i] === '+' || chars[i] === '?')
          fail('invalid nested repetition operator', `${c}${chars[i]}`);
        atomEnd = false;
        continue;
      }
      case '{': {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(chars.slice(i, i + 20).join(''));
        if (m && atomEnd) {
          const min = Number(m[1]);
          const max = m[3] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
          if (min > 1000 || (max !== Infinity && (max > 1000 || max < min))) fail('invalid repeat count', m[0]);
          out += m[0];
          i += m[0].length;
          if (chars[i] === '?') {
            out += '?';
            i++;
          }
          atomEnd = false;
          continue;
        }
        if (m && !atomEnd) fail('missing argument to repetition operator', m[0]);
        out += '\\{';
        i++;
        atomEnd = true;
        continue;
      }
      case '}':
      case ']':
        out += `\\${c}`;
        i++;
        atomEnd = true;
        continue;
      case '|':
        out += '|';
        i++;
        atomEnd = false;
        continue;
      case '^':
      case '$':
        out += c;
        i++;
        atomEnd = false;
        continue;
      case '.':
        out += '.';
        i++;
        atomEnd = true;
        continue;
      default:
        out += lit(c, false);
        i++;
        atomEnd = true;
    }
  }
  if (depth > 0) fail('missing closing )', expr);
  return { source: out, flags };
}

/** regexp.Compile: a global, unicode JS RegExp that behaves as the Go one (cached in `cache` when given). */
export function compileGoRegexp(expr: string, cache?: Map<string, RegExp>): RegExp {
  let re = cache?.get(expr);
  if (re) return re;
  const t = translateGoRegexp(expr);
  try {
    re = new RegExp(t.source, `${t.flags}g`);
  } catch (err) {
    throw new GoRegexpError(
      `error parsing regexp: ${(err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '')}: \`${expr}\``,
    );
  }
  if (cache) {
    if (cache.size >= 256) cache.delete(cache.keys().next().value as string);
    cache.set(expr, re);
  }
  return re;
}

/** Go's allMatches: successive non-overlapping matches; an empty match right after a match is skipped. */
export function goAllMatches(re: RegExp, s: string, n: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  if (n === 0) return out;
  let pos = 0;
  let prevEnd = -1;
  while ((n < 0 || out.length < n) && pos <= s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) break;
    const start = m.index;
    const end = start + m[0].length;
    let accept = true;
    if (end === pos) {
      if (start === prevEnd) accept = false;
      pos += pos < s.length && s.codePointAt(pos)! > 0xffff ? 2 : 1;
    } else {
      pos = end;
    }
    prevEnd = end;
    if (accept) out.push([start, end]);
  }
  return out;
}

/** regexp.Split(s, -1). */
export function goSplit(expr: string, s: string, cache?: Map<string, RegExp>): string[] {
  const re = compileGoRegexp(expr, cache);
  if (expr.length > 0 && s.length === 0) return [''];
  const parts: string[] = [];
  let beg = 0;
  let end = 0;
  for (const [a, b] of goAllMatches(re, s, -1)) {
    end = a;
    if (b !== 0) parts.push(s.slice(beg, end));
    beg = b;
  }
  if (end !== s.length) parts.push(s.slice(beg));
  return parts;
}

/** regexp.QuoteMeta. */
export function goQuoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, (c) => `\\${c}`);
}

/** OPA's regex.template_match (gorilla/mux templates): literal text around delimited regular expressions. */
export function templateMatch(
  template: string,
  value: string,
  delimStart: string,
  delimEnd: string,
  cache?: Map<string, RegExp>,
): boolean {
  const startLen = Buffer.byteLength(delimStart);
  const endLen = Buffer.byteLength(delimEnd);
  if (startLen !== 1)
    throw new OperandError(`start delimiter has to be exactly one character long but is ${startLen} long`);
  if (endLen !== 1) throw new OperandError(`end delimiter has to be exactly one character long but is ${endLen} long`);
  const idxs: number[] = [];
  let level = 0;
  let idx = 0;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === delimStart) {
      if (++level === 1) idx = i;
    } else if (c === delimEnd) {
      if (--level === 0) idxs.push(idx, i + 1);
      else if (level < 0) throw new OperandError(`unbalanced braces in ${JSON.stringify(template)}`);
    }
  }
  if (level !== 0) throw new OperandError(`unbalanced braces in ${JSON.stringify(template)}`);
  let pattern = '^';
  let end = 0;
  for (let i = 0; i < idxs.length; i += 2) {
    const raw = template.slice(end, idxs[i]);
    end = idxs[i + 1];
    const patt = template.slice(idxs[i] + 1, end - 1);
    compileGoRegexp(`^${patt}$`, cache);
    pattern += `${goQuoteMeta(raw)}(${patt})`;
  }
  pattern += `${goQuoteMeta(template.slice(end))}$`;
  const re = compileGoRegexp(pattern, cache);
  re.lastIndex = 0;
  return re.test(value);
}

export const REGEX_BUILTINS: Record<string, Builtin> = {
  'regex.split': {
    arity: 2,
    fn: (args, ctx) => goSplit(stringOperand(args, 0), stringOperand(args, 1), ctx.regexCache),
  },
  'regex.find_n': {
    arity: 3,
    fn: (args, ctx) => {
      const pattern = stringOperand(args, 0);
      const value = stringOperand(args, 1);
      const n = intOperand(args, 2);
      const re = compileGoRegexp(pattern, ctx.regexCache);
      return goAllMatches(re, value, n < 0n ? -1 : Number(n)).map(([a, b]) => value.slice(a, b));
    },
  },
  'regex.template_match': {
    arity: 4,
    fn: (args, ctx) =>
      templateMatch(
        stringOperand(args, 0),
        stringOperand(args, 1),
        stringOperand(args, 2),
        stringOperand(args, 3),
        ctx.regexCache,
      ),
  },
};
