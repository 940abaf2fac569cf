import { formatPath, type FieldPath, type LineIndex } from './lines';

/** One thing wrong with a policy configuration, located by file, line and field. */
export interface ConfigProblem {
  file: string;
  line: number;
  /** What is being read: `ClusterAdmissionPolicy psp`, `policies.yml entry "x"`. */
  subject: string;
  field: string;
  message: string;
}

export function formatProblem(p: ConfigProblem): string {
  // Line 0: the file could not be read at all, there is no line to name (lines are 1-based).
  return `${p.file}${p.line > 0 ? `:${p.line}` : ''}: ${p.subject}: ${p.field ? `${p.field}: ` : ''}${p.message}`;
}

/** A field that has no effect on a client, with why; reported once per run. */
export interface IgnoredField {
  field: string;
  reason: string;
  /** Set to a value that would matter in a cluster (not the default). */
  significant: boolean;
  where: string;
}

/** Reads fields of one document (or one policies.yml entry), recording problems with their lines. */
export class FieldReader {
  constructor(
    readonly file: string,
    readonly lines: LineIndex,
    readonly subject: string,
    readonly problems: ConfigProblem[],
    readonly warnings: string[],
    readonly ignored: IgnoredField[],
    /** Prefix of every path given to this reader (e.g. ['my-policy'] for a policies.yml entry). */
    readonly base: FieldPath = [],
  ) {}

  /** A reader for a nested subject (a group member) sharing the sinks. */
  with(subject: string, base: FieldPath): FieldReader {
    return new FieldReader(this.file, this.lines, subject, this.problems, this.warnings, this.ignored, base);
  }

  line(path: FieldPath): number {
    return this.lines.line([...this.base, ...path]);
  }

  fail(path: FieldPath, message: string): void {
    this.problems.push({
      file: this.file,
      line: this.line(path),
      subject: this.subject,
      field: formatPath(path),
      message,
    });
  }

  warn(path: FieldPath, message: string): void {
    this.warnings.push(
      `${this.file}:${this.line(path)}: ${this.subject}: ${path.length ? `${formatPath(path)}: ` : ''}${message}`,
    );
  }

  ignore(path: FieldPath, reason: string, significant: boolean): void {
    this.ignored.push({ field: formatPath(path), reason, significant, where: `${this.file}:${this.line(path)}` });
  }

  mapping(v: unknown, path: FieldPath, required = false): Record<string, unknown> | undefined {
    if (v === undefined || v === null) {
      if (required) this.fail(path, 'required');
      return undefined;
    }
    if (typeof v !== 'object' || Array.isArray(v)) {
      this.fail(path, `must be a mapping, got ${describe(v)}`);
      return undefined;
    }
    return v as Record<string, unknown>;
  }

  list(v: unknown, path: FieldPath, required = false): unknown[] | undefined {
    if (v === undefined || v === null) {
      if (required) this.fail(path, 'required');
      return undefined;
    }
    if (!Array.isArray(v)) {
      this.fail(path, `must be a list, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  string(v: unknown, path: FieldPath, required = false): string | undefined {
    if (v === undefined || v === null) {
      if (required) this.fail(path, 'required');
      return undefined;
    }
    if (typeof v !== 'string') {
      this.fail(path, `must be a string, got ${describe(v)}`);
      return undefined;
    }
    if (required && v === '') {
      this.fail(path, 'must be non-empty');
      return undefined;
    }
    return v;
  }

  bool(v: unknown, path: FieldPath): boolean | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') {
      this.fail(path, `must be true or false, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  int(v: unknown, path: FieldPath, min: number, max: number): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      this.fail(path, `must be a whole number, got ${describe(v)}`);
      return undefined;
    }
    if (v < min || v > max) {
      this.fail(path, `must be between ${min} and ${max}, got ${v}`);
      return undefined;
    }
    return v;
  }

  oneOf<T extends string>(v: unknown, path: FieldPath, values: readonly T[], fallback: T): T {
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'string' || !values.includes(v as T)) {
      this.fail(path, `must be one of ${values.join(', ')}, got ${describe(v)}`);
      return fallback;
    }
    return v as T;
  }

  /** Reports keys of `obj` not in `known`: an error (CRDs: kubectl validates strictly), or a warning. */
  unknownFields(
    obj: Record<string, unknown>,
    path: FieldPath,
    known: readonly string[],
    severity: 'error' | 'warning',
    hint = '',
  ): void {
    for (const k of Object.keys(obj)) {
      if (known.includes(k)) continue;
      const suggestion = closest(k, known);
      const message = `unknown field${hint}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`;
      if (severity === 'error') this.fail([...path, k], message);
      else this.warn([...path, k], message);
    }
  }
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? v.slice(0, 60) + '…' : v);
  return `${typeof v} ${String(v)}`;
}

/** The known name closest to a misspelt one (case-insensitive, edit distance ≤ 2), if any. */
function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const k of known) {
    const d = distance(name.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) dp[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      dp[i][j] = Math.min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return dp[a.length][b.length];
}
