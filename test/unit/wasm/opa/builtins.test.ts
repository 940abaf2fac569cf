import { strict as assert } from 'node:assert';
import { BuiltinError, callBuiltin, REGO_BUILTINS, type BuiltinContext } from '../../../../lib/wasm/opa/builtins';
import { goSprintf, sprintf, toGoArg } from '../../../../lib/wasm/opa/builtins/strings';
import { translateGoRegexp } from '../../../../lib/wasm/opa/builtins/regex';
import { OpaPolicy } from '../../../../lib/wasm/opa/abi';
import {
  parseRegoJson,
  regoString,
  RegoNumber,
  stringifyRegoJson,
  type RegoValue,
} from '../../../../lib/wasm/opa/value';
import { createLogger, silentLogger } from '../../../../lib/base/log';
import { opaFixtures } from '../../../fixtures/opa/fixtures';

const ctx: BuiltinContext = { log: silentLogger, nowNs: () => 1_700_000_000_000_000_000n };
const call = (name: string, ...args: RegoValue[]) => callBuiltin(name, args, ctx);
const fails = (name: string, args: RegoValue[], message: string) =>
  assert.throws(
    () => callBuiltin(name, args, ctx),
    (e: unknown) => e instanceof BuiltinError && e.builtin === name && e.reason === message,
    `${name}: ${message}`,
  );
const num = (text: string) => new RegoNumber(text);

describe('Rego builtins (burrego set, OPA semantics)', () => {
  it('provides exactly the builtins burrego provides', () => {
    assert.deepEqual([...REGO_BUILTINS.keys()].sort(), [
      'base64url.encode_no_pad',
      'glob.quote_meta',
      'hex.decode',
      'hex.encode',
      'json.is_valid',
      'json.patch',
      'regex.find_n',
      'regex.split',
      'regex.template_match',
      'semver.compare',
      'semver.is_valid',
      'sprintf',
      'time.date',
      'time.now_ns',
      'time.parse_rfc3339_ns',
      'trace',
      'urlquery.decode',
      'urlquery.decode_object',
      'urlquery.encode',
      'urlquery.encode_object',
      'yaml.is_valid',
      'yaml.marshal',
      'yaml.unmarshal',
    ]);
  });

  it('checks operand types as OPA does', () => {
    fails('hex.encode', [1], 'operand 1 must be string but got number');
    fails('regex.split', ['a', null], 'operand 2 must be string but got null');
    fails('sprintf', ['%d', {}], 'operand 2 must be array but got object');
    fails('regex.find_n', ['a', 'aaa', 1.5], 'operand 3 must be integer number but got floating-point number');
    fails('urlquery.encode_object', ['x'], 'operand 1 must be object but got string');
  });

  describe('trace', () => {
    it('is true and writes the note to the debug log', () => {
      const lines: string[] = [];
      assert.equal(callBuiltin('trace', ['hello'], { ...ctx, log: createLogger('debug', (l) => lines.push(l)) }), true);
      assert.deepEqual(lines, ['debug: trace: hello']);
    });
  });

  describe('encoding', () => {
    it('base64url.encode_no_pad', () => {
      assert.equal(call('base64url.encode_no_pad', 'hello'), 'aGVsbG8');
      assert.equal(call('base64url.encode_no_pad', '\u00ff\u00fe?>'), 'w7_Dvj8-');
    });

    it('urlquery.encode / decode (Go QueryEscape / QueryUnescape)', () => {
      assert.equal(call('urlquery.encode', 'a b&c=d/e?f~g.h-i_j+ü'), 'a+b%26c%3Dd%2Fe%3Ff~g.h-i_j%2B%C3%BC');
      assert.equal(call('urlquery.decode', 'a+b%26c%3Dd%2Fe%3Ff~g%C3%BC'), 'a b&c=d/e?f~gü');
      fails('urlquery.decode', ['a%zzb'], 'invalid URL escape "%zz"');
      fails('urlquery.decode', ['abc%4'], 'invalid URL escape "%4"');
    });

    it('urlquery.encode_object / decode_object', () => {
      assert.equal(call('urlquery.encode_object', { z: 'last', a: ['1', '2 3'], e: [] }), 'a=1&a=2+3&z=last');
      fails('urlquery.encode_object', [{ a: 1 }], 'expected value to be string or array');
      fails('urlquery.encode_object', [{ a: [1] }], 'expected value in array to be string');
      assert.deepEqual(call('urlquery.decode_object', 'a=1&b=2&a=3&c&d=x+y'), {
        a: ['1', '3'],
        b: ['2'],
        c: [''],
        d: ['x y'],
      });
      fails('urlquery.decode_object', ['a=1;b=2'], 'invalid semicolon separator in query');
      fails('urlquery.decode_object', ['a=%zz'], 'invalid URL escape "%zz"');
    });

    it('json.is_valid', () => {
      assert.equal(call('json.is_valid', '{"a": [1, 2.5e3, null]}'), true);
      assert.equal(call('json.is_valid', '{"a": 1'), false);
      assert.equal(call('json.is_valid', "{'a': 1}"), false);
      assert.equal(call('json.is_valid', 1), false);
    });

    it('hex.encode / hex.decode (OPA docs: "lorem ipsum")', () => {
      assert.equal(call('hex.encode', 'lorem ipsum'), '6c6f72656d20697073756d');
      assert.equal(call('hex.decode', '6c6f72656d20697073756d'), 'lorem ipsum');
      assert.equal(call('hex.decode', '4A4b'), 'JK');
      fails('hex.decode', ['zz'], "encoding/hex: invalid byte: U+007A 'z'");
      fails('hex.decode', ['abc'], 'encoding/hex: odd length hex string');
      fails('hex.decode', ['ab\n'], 'encoding/hex: invalid byte: U+000A');
    });
  });

  describe('yaml', () => {
    it('yaml.marshal: keys sorted, sequences not indented, ambiguous strings quoted', () => {
      assert.equal(call('yaml.marshal', { foo: [1, 2, 3] }), 'foo:\n- 1\n- 2\n- 3\n');
      assert.equal(
        call('yaml.marshal', { b: 'yes', a: { c: 'x y', d: null, e: true, f: '1' } }),
        'a:\n  c: x y\n  d: null\n  e: true\n  f: "1"\nb: "yes"\n',
      );
      assert.equal(call('yaml.marshal', []), '[]\n');
    });

    it('yaml.unmarshal: YAML 1.1 scalars, first document only', () => {
      assert.deepEqual(call('yaml.unmarshal', 'foo: [1, 2, 3]\nbar: {a: yes, b: "yes", c: 0644, d: 1.5}\n'), {
        foo: [1, 2, 3],
        bar: { a: true, b: 'yes', c: 420, d: 1.5 },
      });
      assert.deepEqual(call('yaml.unmarshal', 'a: 1\n---\nb: 2\n'), { a: 1 });
      assert.equal(call('yaml.unmarshal', ''), null);
      assert.throws(
        () => call('yaml.unmarshal', 'a: [1'),
        (e: unknown) => e instanceof BuiltinError && /^error converting YAML to JSON: yaml: /.test(e.reason),
      );
    });

    it('yaml.is_valid', () => {
      assert.equal(call('yaml.is_valid', 'a: 1\nb: [x, y]'), true);
      assert.equal(call('yaml.is_valid', 'a: [1'), false);
      assert.equal(call('yaml.is_valid', 5), false);
    });
  });

  describe('glob.quote_meta', () => {
    it('escapes * ? \\ [ ] { } (OPA docs: "*.github.com")', () => {
      assert.equal(call('glob.quote_meta', '*.github.com'), '\\*.github.com');
      assert.equal(call('glob.quote_meta', 'a?[b]{c,d}\\e!-'), 'a\\?\\[b\\]\\{c,d\\}\\\\e!-');
    });
  });

  describe('json.patch', () => {
    it('applies RFC 6902 operations (OPA docs example)', () => {
      assert.deepEqual(call('json.patch', { a: { foo: 1 } }, [{ op: 'add', path: '/a/bar', value: 2 }]), {
        a: { foo: 1, bar: 2 },
      });
      const doc = { a: [1, 2, 3], b: { 'c/d': 'x', 'e~f': 'y' } };
      assert.deepEqual(
        call('json.patch', doc, [
          { op: 'add', path: '/a/-', value: 4 },
          { op: 'add', path: '/a/0', value: 0 },
          { op: 'remove', path: '/a/1' },
          { op: 'replace', path: '/b/c~1d', value: 'z' },
          { op: 'move', from: '/b/e~0f', path: '/moved' },
          { op: 'copy', from: '/a/0', path: '/copied' },
          { op: 'test', path: '/copied', value: 0 },
        ]),
        { a: [0, 2, 3, 4], b: { 'c/d': 'z' }, moved: 'y', copied: 0 },
      );
      assert.deepEqual(doc, { a: [1, 2, 3], b: { 'c/d': 'x', 'e~f': 'y' } }, 'the target is not changed');
      assert.deepEqual(call('json.patch', { a: { b: 1 } }, [{ op: 'add', path: ['a', 'c'], value: true }]), {
        a: { b: 1, c: true },
      });
      assert.deepEqual(call('json.patch', { a: 1 }, [{ op: 'replace', path: '', value: [1] }]), [1]);
    });

    it('is undefined when an operation does not apply, an error when a patch is malformed', () => {
      assert.equal(call('json.patch', { a: 1 }, [{ op: 'remove', path: '/b' }]), undefined);
      assert.equal(call('json.patch', { a: 1 }, [{ op: 'test', path: '/a', value: 2 }]), undefined);
      assert.equal(call('json.patch', { a: [1] }, [{ op: 'add', path: '/a/5', value: 2 }]), undefined);
      assert.equal(
        call('json.patch', { a: 1 }, [{ op: 'test', path: '/a', value: num('1.0') }]) !== undefined,
        true,
        'numbers compare by value',
      );
      fails('json.patch', [{}, [{ path: '/a' }]], "operand 2 patch is missing 'op' attribute");
      fails('json.patch', [{}, [{ op: 'add', path: '/a' }]], "operand 2 patch is missing 'value' attribute");
      fails('json.patch', [{}, [{ op: 'frobnicate', path: '/a' }]], 'operand 2 must be an array of JSON-Patch objects');
      fails('json.patch', [{}, ['x']], 'operand 2 must be an array of JSON-Patch objects');
    });
  });

  describe('regex (Go RE2 semantics)', () => {
    it('regex.split follows Go Split, empty matches included', () => {
      assert.deepEqual(call('regex.split', 'a', 'banana'), ['b', 'n', 'n', '']);
      assert.deepEqual(call('regex.split', ':', 'nginx:1.2.3'), ['nginx', '1.2.3']);
      assert.deepEqual(call('regex.split', 'a*', 'abaabaccadaaae'), ['', 'b', 'b', 'c', 'c', 'd', 'e']);
      assert.deepEqual(call('regex.split', 'x', ''), ['']);
      assert.deepEqual(call('regex.split', '', 'abc'), ['a', 'b', 'c']);
      assert.deepEqual(call('regex.split', '\\s*,\\s*', 'a , b,c'), ['a', 'b', 'c']);
    });

    it('regex.find_n (Go FindAllString examples)', () => {
      assert.deepEqual(call('regex.find_n', 'a.', 'paranormal', -1), ['ar', 'an', 'al']);
      assert.deepEqual(call('regex.find_n', 'a.', 'paranormal', 2), ['ar', 'an']);
      assert.deepEqual(call('regex.find_n', 'x*', 'xxy', -1), ['xx', '']);
      assert.deepEqual(call('regex.find_n', 'a.', 'graal', 0), []);
      assert.deepEqual(call('regex.find_n', '[oa]+', 'foo bar', -1), ['oo', 'a']);
      assert.deepEqual(call('regex.find_n', '(?i)é.', 'ÉtÉé', -1), ['Ét', 'Éé']);
    });

    it('regex.template_match (OPA docs: urn:foo:{.*})', () => {
      assert.equal(call('regex.template_match', 'urn:foo:{.*}', 'urn:foo:bar:baz', '{', '}'), true);
      assert.equal(call('regex.template_match', 'urn:foo.bar.com:{.*}', 'urn:foo.bar.com:bar:baz', '{', '}'), true);
      assert.equal(call('regex.template_match', 'urn:foo.bar.com:{.*}', 'urn:fooXbar.com:bar:baz', '{', '}'), false);
      assert.equal(call('regex.template_match', 'urn:foo:<[0-9]{2}>', 'urn:foo:42', '<', '>'), true);
      assert.equal(call('regex.template_match', 'urn:foo:<[0-9]{2}>', 'urn:foo:421', '<', '>'), false);
      fails('regex.template_match', ['urn:{.*', 'x', '{', '}'], 'unbalanced braces in "urn:{.*"');
      fails(
        'regex.template_match',
        ['a', 'a', '{{', '}'],
        'start delimiter has to be exactly one character long but is 2 long',
      );
    });

    it('translates RE2 syntax and refuses what RE2 lacks', () => {
      assert.deepEqual(translateGoRegexp('(?P<x>a)\\z'), { source: '(?<x>a)(?![\\s\\S])', flags: 'u' });
      assert.deepEqual(translateGoRegexp('(?is)a.b'), { source: 'a.b', flags: 'uis' });
      assert.equal(translateGoRegexp('[[:digit:]-]+\\Q.*\\E').source, '[0-9\\-]+\\.\\*');
      assert.equal(translateGoRegexp('a{,2}\\-').source, 'a\\{,2\\}-');
      assert.deepEqual(call('regex.split', '\\pL+', 'aé1bc2'), ['', '1', '2']);
      fails('regex.split', ['(?=a)', 'a'], 'error parsing regexp: invalid or unsupported Perl syntax: `(?=`');
      fails('regex.split', ['(a', 'a'], 'error parsing regexp: missing closing ): `(a`');
      fails('regex.split', ['a**', 'a'], 'error parsing regexp: invalid nested repetition operator: `**`');
      fails('regex.split', ['\\1', 'a'], 'error parsing regexp: invalid escape sequence: `\\1`');
      fails(
        'regex.split',
        ['a(?i)b', 'a'],
        'error parsing regexp: inline flags are supported only at the start of the pattern: `(?i)`',
      );
    });
  });

  describe('semver', () => {
    it('semver.is_valid', () => {
      for (const v of ['1.0.0', '0.0.1-alpha.1+build.5', '1.2.3-rc-1', '10.20.30'])
        assert.equal(call('semver.is_valid', v), true, v);
      for (const v of ['v1.0.0', '1.0', '1.0.0.0', '1.0.0-', 'a.b.c', '1.0.0-al..pha', '1.0.0+', 1])
        assert.equal(call('semver.is_valid', v as RegoValue), v === '1.0.0-' || v === '1.0.0+', String(v));
    });

    it('semver.compare (SemVer precedence, build metadata ignored)', () => {
      assert.equal(call('semver.compare', '1.1.1', '1.1.1'), 0);
      assert.equal(call('semver.compare', '1.1.1', '1.1.2'), -1);
      assert.equal(call('semver.compare', '2.0.0', '1.99.99'), 1);
      assert.equal(call('semver.compare', '1.0.0-alpha', '1.0.0'), -1);
      const order = [
        '1.0.0-alpha',
        '1.0.0-alpha.1',
        '1.0.0-alpha.beta',
        '1.0.0-beta',
        '1.0.0-beta.2',
        '1.0.0-beta.11',
        '1.0.0-rc.1',
        '1.0.0',
      ];
      for (let i = 0; i + 1 < order.length; i++)
        assert.equal(call('semver.compare', order[i], order[i + 1]), -1, `${order[i]} < ${order[i + 1]}`);
      assert.equal(call('semver.compare', '1.0.0+build.1', '1.0.0+build.2'), 0);
      fails('semver.compare', ['1.0', '1.0.0'], 'operand 1: string "1.0" is not a valid SemVer');
      fails('semver.compare', ['1.0.0', 'x'], 'operand 2: string "x" is not a valid SemVer');
    });
  });

  describe('sprintf (Go fmt)', () => {
    const cases: Array<[string, RegoValue[], string]> = [
      ['hello %s', ['world'], 'hello world'],
      ['%d items', [42], '42 items'],
      ['%5d|%-5d|%05d|%+d|% d', [42, 42, 42, 42, 42], '   42|42   |00042|+42| 42'],
      ['%x %X %o %b %#x %#o', [255, 255, 8, 5, 255, 8], 'ff FF 10 101 0xff 010'],
      ['%c%c %q %U', [72, 105, 65, 0x1f600], "Hi 'A' U+1F600"],
      ['%f %.2f %8.3f %-8.1f|', [3.14159, 3.14159, 3.14159, 2.25], '3.141590 3.14    3.142 2.2     |'],
      ['%.0f %.1f %.2f', [2.5, 0.25, 1.005], '2 0.2 1.00'],
      ['%e %E %.3e', [123456.789, 0.000123, 1.5], '1.234568e+05 1.230000E-04 1.500e+00'],
      ['%g %g %g %.3g', [100000.5, 1e-5, 0.0001, 3.14159], '100000.5 1e-05 0.0001 3.14'],
      ['%v %v %v %v', [1.5, num('1e21'), num('100000.0'), num('1234567.0')], '1.5 1e+21 100000 1.234567e+06'],
      ['%v', [num('18446744073709551616')], '18446744073709551616'],
      ['%d', [num('-9223372036854775808')], '-9223372036854775808'],
      ['%s|%10s|%-10s|%.2s', ['abc', 'abc', 'abc', 'abc'], 'abc|       abc|abc       |ab'],
      ['%q %x %X % x', ['hi\n"', 'hi', 'hi', 'hi'], '"hi\\n\\"" 6869 6869 68 69'],
      [
        '%v and %s',
        [[1, 'a', { b: null, a: true }], { z: 1, y: [] }],
        '[1, "a", {"a": true, "b": null}] and {"y": [], "z": 1}',
      ],
      ['%v %s', [true, null], 'true null'],
      ['%%d %d%%', [5], '%d 5%'],
      // Go's mismatches, reproduced
      ['%d', [1.5], '%!d(float64=1.5)'],
      ['%f', [5], '%!f(int=5)'],
      ['%s', [5], '%!s(int=5)'],
      ['%t', [true], '%!t(string=true)'],
      ['%d', [num('1e3')], '%!d(float64=1000)'],
      ['%d', ['x'], '%!d(string=x)'],
      ['%s %s', ['a'], 'a %!s(MISSING)'],
      ['%s', ['a', 'b', 7], 'a%!(EXTRA string=b, int=7)'],
      ['%z', [1], '%!z(int=1)'],
      ['%', [], '%!(NOVERB)'],
      // argument indexes and stars
      ['%[2]s %[1]s', ['a', 'b'], 'b a'],
      ['%*d|%-*d|%.*f', [5, 42, 4, 7, 2, 3.14159], '   42|7   |3.14'],
      ['%[3]d', [1], '%!d(BADINDEX)'],
      ['%s', ['日本語'], '日本語'],
      ['%5s|%.1s', ['日本', '日本'], '   日本|日'],
    ];
    for (const [format, args, expected] of cases) {
      it(`sprintf(${JSON.stringify(format)}, ${stringifyRegoJson(args)}) = ${JSON.stringify(expected)}`, () => {
        assert.equal(sprintf(format, args), expected);
      });
    }

    it('converts values as OPA does before formatting', () => {
      assert.deepEqual(toGoArg(5), { t: 'int', v: 5n });
      assert.deepEqual(toGoArg(num('5.0')), { t: 'float', v: 5 });
      assert.deepEqual(toGoArg(num('9223372036854775808')), { t: 'big', v: 9223372036854775808n });
      assert.deepEqual(toGoArg([1, 'x']), { t: 'string', v: '[1, "x"]' });
      assert.equal(
        goSprintf('%08.3f|%+.2e|%x', [
          { t: 'float', v: -3.14159 },
          { t: 'float', v: 12345 },
          { t: 'float', v: 1.5 },
        ]),
        '-003.142|+1.23e+04|0x1.8p+00',
      );
      assert.equal(regoString({ 'b"': '\u0001é' }), '{"b\\"": "\\x01é"}');
    });
  });

  describe('time', () => {
    it("time.now_ns is the evaluation's instant", () => {
      assert.equal(call('time.now_ns'), 1_700_000_000_000_000_000n);
    });

    it('time.parse_rfc3339_ns (OPA/Go examples)', () => {
      assert.equal(call('time.parse_rfc3339_ns', '2017-06-02T19:00:00.000000000-08:00'), 1496458800000000000n);
      assert.equal(call('time.parse_rfc3339_ns', '1970-01-01T00:00:00Z'), 0n);
      assert.equal(call('time.parse_rfc3339_ns', '2024-02-29T12:30:45.123456789123Z'), 1709209845123456789n);
      assert.equal(
        call('time.parse_rfc3339_ns', '1677-09-21T00:12:43.145224191Z'),
        undefined,
        'outside int64 nanoseconds: undefined',
      );
      assert.equal(call('time.parse_rfc3339_ns', '1677-09-21T00:12:43.145224192Z'), -(2n ** 63n));
      const layout = '"2006-01-02T15:04:05Z07:00"';
      fails(
        'time.parse_rfc3339_ns',
        ['2024/01/01T00:00:00Z'],
        `parsing time "2024/01/01T00:00:00Z" as ${layout}: cannot parse "/01/01T00:00:00Z" as "-"`,
      );
      fails('time.parse_rfc3339_ns', ['2024-01-01'], `parsing time "2024-01-01" as ${layout}: cannot parse "" as "T"`);
      fails(
        'time.parse_rfc3339_ns',
        ['2024-13-01T00:00:00Z'],
        'parsing time "2024-13-01T00:00:00Z": month out of range',
      );
      fails('time.parse_rfc3339_ns', ['2023-02-29T00:00:00Z'], 'parsing time "2023-02-29T00:00:00Z": day out of range');
      fails(
        'time.parse_rfc3339_ns',
        ['2024-01-01T00:00:00Zjunk'],
        'parsing time "2024-01-01T00:00:00Zjunk": extra text: "junk"',
      );
    });

    it('time.date, in UTC or a named zone', () => {
      assert.deepEqual(call('time.date', 1496458800000000000n), [2017, 6, 3]);
      assert.deepEqual(call('time.date', [1496458800000000000n, 'America/Los_Angeles']), [2017, 6, 2]);
      assert.deepEqual(call('time.date', [0, 'Asia/Tokyo']), [1970, 1, 1]);
      assert.deepEqual(call('time.date', -1), [1969, 12, 31]);
      assert.deepEqual(call('time.date', [1496458800000000000n, '']), [2017, 6, 3]);
      fails('time.date', [[0, 'Mars/Olympus']], 'unknown time zone Mars/Olympus');
      fails('time.date', ['x'], 'operand 1 must be either number (ns) or [number (ns), string (tz)] but got string');
      fails('time.date', [1.5], 'timestamp too big');
    });
  });

  describe('through the Wasm bridge (builtin-probe fixture)', () => {
    let policy: OpaPolicy;
    before(async function () {
      this.timeout(120000);
      const fixtures = await opaFixtures();
      policy = OpaPolicy.load(fixtures.get('builtin-probe')!, {
        log: silentLogger,
        memoryLimitBytes: 16 * 1024 * 1024,
        now: () => 1_700_000_000_000_000_123n,
      });
    });

    const probe = (calls: Array<[string, ...unknown[]]>): string => {
      const input = { calls: calls.map(([name, ...args]) => ({ name, args })) };
      return policy.evaluate(JSON.stringify(input), '{}');
    };

    it('calls every builtin with 0 to 4 arguments and returns values exactly', () => {
      const out = probe([
        ['trace', 'note'],
        ['base64url.encode_no_pad', 'hello'],
        ['urlquery.encode', 'a b'],
        ['urlquery.decode', 'a+b'],
        ['urlquery.encode_object', { a: ['1', '2'] }],
        ['urlquery.decode_object', 'a=1'],
        ['json.is_valid', '{}'],
        ['yaml.marshal', { a: 1 }],
        ['yaml.unmarshal', 'a: [1]'],
        ['yaml.is_valid', ':'],
        ['hex.encode', 'hi'],
        ['hex.decode', '6869'],
        ['glob.quote_meta', '*'],
        ['json.patch', { a: 1 }, [{ op: 'add', path: '/b', value: 2.5 }]],
        ['regex.split', ',', 'a,b'],
        ['regex.template_match', 'x{.*}', 'xyz', '{', '}'],
        ['regex.find_n', 'o', 'foo', 1],
        ['semver.is_valid', '1.0.0'],
        ['semver.compare', '1.0.0', '2.0.0'],
        // eslint-disable-next-line no-loss-of-precision -- the probe passes a number past 2^53 on purpose
        ['sprintf', '%d %v', [9007199254740993, 1.0]],
        ['time.now_ns'],
        ['time.parse_rfc3339_ns', '2262-04-11T23:47:16.854775807Z'],
        ['time.date', [0, 'UTC']],
      ]);
      assert.equal(
        out,
        JSON.stringify([
          {
            result: [
              { value: true },
              { value: 'aGVsbG8' },
              { value: 'a+b' },
              { value: 'a b' },
              { value: 'a=1&a=2' },
              { value: { a: ['1'] } },
              { value: true },
              { value: 'a: 1\n' },
              { value: { a: [1] } },
              { value: true },
              { value: '6869' },
              { value: 'hi' },
              { value: '\\*' },
              { value: { a: 1, b: 2.5 } },
              { value: ['a', 'b'] },
              { value: true },
              { value: ['o'] },
              { value: true },
              { value: -1 },
              { value: '9007199254740992 1' },
              'NOW',
              'MAX',
              { value: [1970, 1, 1] },
            ],
          },
        ])
          .replace('"NOW"', '{"value":1700000000000000123}')
          .replace('"MAX"', '{"value":9223372036854775807}'),
      );
    });

    it('keeps number text across the bridge (sprintf sees 1.0 as a float, big integers exactly)', () => {
      const exact = policy.evaluate(
        '{"calls":[{"name":"sprintf","args":["%d|%d|%v",[1.0,9007199254740993,12345678901234567890]]}]}',
        '{}',
      );
      assert.equal(exact, '[{"result":[{"value":"%!d(float64=1)|9007199254740993|12345678901234567890"}]}]');
    });

    it('gives undefined (no value) when the builtin is undefined', () => {
      assert.equal(probe([['json.patch', { a: 1 }, [{ op: 'remove', path: '/x' }]]]), '[{"result":[{}]}]');
      assert.equal(probe([['time.parse_rfc3339_ns', '9999-01-01T00:00:00Z']]), '[{"result":[{}]}]');
    });

    it('parses values the guest dumps losslessly', () => {
      assert.deepEqual(parseRegoJson('[1, 1.0, 9007199254740993, -0, "a"]'), [
        1,
        num('1.0'),
        num('9007199254740993'),
        num('-0'),
        'a',
      ]);
      assert.equal(
        stringifyRegoJson(parseRegoJson('{"a":[1.50,1e3,{"__proto__":2}]}')),
        '{"a":[1.50,1e3,{"__proto__":2}]}',
      );
    });
  });
});
