import { OperandError, operandTypeError, stringOperand, type Builtin } from './types';
import { isNumber, numberParts, type RegoValue } from '../value';

const NS_PER_SECOND = 1_000_000_000n;
const NS_PER_DAY = 86_400n * NS_PER_SECOND;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): bigint {
  const yy = BigInt(m <= 2 ? y - 1 : y);
  const era = (yy >= 0n ? yy : yy - 399n) / 400n;
  const yoe = yy - era * 400n;
  const mp = BigInt((m + 9) % 12);
  const doy = (153n * mp + 2n) / 5n + BigInt(d - 1);
  const doe = yoe * 365n + yoe / 4n - yoe / 100n + doy;
  return era * 146097n + doe - 719468n;
}

/** The date of a day number (civil_from_days). */
export function civilFromDays(z0: bigint): [number, number, number] {
  const z = z0 + 719468n;
  const era = (z >= 0n ? z : z - 146096n) / 146097n;
  const doe = z - era * 146097n;
  const yoe = (doe - doe / 1460n + doe / 36524n - doe / 146096n) / 365n;
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n);
  const mp = (5n * doy + 2n) / 153n;
  const d = doy - (153n * mp + 2n) / 5n + 1n;
  const m = mp < 10n ? mp + 3n : mp - 9n;
  const y = yoe + era * 400n + (m <= 2n ? 1n : 0n);
  return [Number(y), Number(m), Number(d)];
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

const daysIn = (m: number, y: number) =>
  m === 2 ? ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;

const RFC3339 = '2006-01-02T15:04:05Z07:00';

/**
 * time.Parse(time.RFC3339, s) → nanoseconds since the epoch, with Go's error texts. Go's parser takes 1 or 2
 * digits for the hour, a `.` or `,` fraction (digits past the ninth ignored), `Z` or `±hh:mm`.
 */
export function parseRfc3339Ns(s: string): bigint {
  let value = s;
  const err = (valueElem: string, layoutElem: string): never => {
    throw new OperandError(
      `parsing time ${JSON.stringify(s)} as ${JSON.stringify(RFC3339)}: cannot parse ${JSON.stringify(valueElem)} as ${JSON.stringify(layoutElem)}`,
    );
  };
  const range = (what: string): never => {
    throw new OperandError(`parsing time ${JSON.stringify(s)}: ${what} out of range`);
  };
  const digits = (n: number, elem: string): number => {
    if (!new RegExp(`^\\d{${n}}`).test(value)) err(value, elem);
    const v = Number(value.slice(0, n));
    value = value.slice(n);
    return v;
  };
  const skip = (prefix: string) => {
    if (!value.startsWith(prefix)) err(value, prefix);
    value = value.slice(prefix.length);
  };
  const year = digits(4, '2006');
  skip('-');
  const month = digits(2, '01');
  if (month < 1 || month > 12) range('month');
  skip('-');
  const day = digits(2, '02');
  skip('T');
  const h = /^\d\d?/.exec(value);
  if (!h) err(value, '15');
  const hour = Number(h![0]);
  value = value.slice(h![0].length);
  if (hour >= 24) range('hour');
  skip(':');
  const minute = digits(2, '04');
  if (minute >= 60) range('minute');
  skip(':');
  const second = digits(2, '05');
  if (second >= 60) range('second');
  let nanos = 0n;
  const frac = /^[.,](\d+)/.exec(value);
  if (frac) {
    nanos = BigInt(frac[1].slice(0, 9).padEnd(9, '0'));
    value = value.slice(frac[0].length);
  }
  let offset = 0;
  if (value.startsWith('Z')) value = value.slice(1);
  else {
    const tz = /^([+-])(\d\d):(\d\d)/.exec(value);
    if (!tz) err(value, 'Z07:00');
    const oh = Number(tz![2]);
    const om = Number(tz![3]);
    if (oh > 24) range('time zone offset hour');
    if (om > 60) range('time zone offset minute');
    offset = (tz![1] === '-' ? -1 : 1) * (oh * 3600 + om * 60);
    value = value.slice(tz![0].length);
  }
  if (value !== '') throw new OperandError(`parsing time ${JSON.stringify(s)}: extra text: ${JSON.stringify(value)}`);
  if (day < 1 || day > daysIn(month, year)) range('day');
  const seconds = daysFromCivil(year, month, day) * 86_400n + BigInt(hour * 3600 + minute * 60 + second - offset);
  return seconds * NS_PER_SECOND + nanos;
}

function localOffsetSeconds(ns: bigint, timeZone: string | undefined): number {
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new OperandError(`unknown time zone ${timeZone}`);
  }
  const secs = floorDiv(ns, NS_PER_SECOND);
  const parts = Object.fromEntries(fmt.formatToParts(new Date(Number(secs) * 1000)).map((p) => [p.type, p.value]));
  let y = Number(parts.year);
  if (parts.era === 'BC' || parts.era === 'B') y = 1 - y;
  const local =
    daysFromCivil(y, Number(parts.month), Number(parts.day)) * 86_400n +
    BigInt(Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second));
  return Number(local - secs);
}

/** time.date: [year, month, day] of a timestamp, in UTC or in the zone given as `[ns, "Europe/Paris"]`. */
export function timeDate(arg: RegoValue): [number, number, number] {
  let nsValue: RegoValue;
  let zone: string | undefined = 'UTC';
  const expected = 'either number (ns) or [number (ns), string (tz)]';
  if (Array.isArray(arg)) {
    if (arg.length === 0) throw operandTypeError(1, arg, expected);
    if (!isNumber(arg[0])) throw operandTypeError(1, arg[0], 'number');
    nsValue = arg[0];
    if (arg.length > 1) {
      const tz = arg[1];
      if (typeof tz !== 'string') throw operandTypeError(1, tz, 'string');
      zone = tz === '' || tz === 'UTC' ? 'UTC' : tz === 'Local' ? undefined : tz;
    }
  } else if (isNumber(arg)) {
    nsValue = arg;
  } else {
    throw operandTypeError(1, arg, expected);
  }
  const parts = numberParts(nsValue as number);
  if ('float' in parts || parts.int < INT64_MIN || parts.int > INT64_MAX) throw new OperandError('timestamp too big');
  const ns = parts.int;
  const offset = zone === 'UTC' ? 0 : localOffsetSeconds(ns, zone);
  return civilFromDays(floorDiv(ns + BigInt(offset) * NS_PER_SECOND, NS_PER_DAY));
}

export const TIME_BUILTINS: Record<string, Builtin> = {
  'time.now_ns': { arity: 0, fn: (_args, ctx) => ctx.nowNs() },
  'time.parse_rfc3339_ns': {
    arity: 1,
    fn: (args) => {
      const ns = parseRfc3339Ns(stringOperand(args, 0));
      return ns < INT64_MIN || ns > INT64_MAX ? undefined : ns;
    },
  },
  'time.date': { arity: 1, fn: (args) => timeDate(args[0]) },
};
