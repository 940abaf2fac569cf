// The guest SDK's JSON reader (plugins/sdk/json.ts), below what the policies' conformance suite reaches: the
// lazy reader the policies use (parseJSONBytes: one validating tape pass, members read on first access) against
// exact expectations, and against the eager DOM parser (parseJSON, the reference it replaces) on crafted and
// generated documents, valid and broken. The guest is test/fixtures/guest-json, compiled here with the flags of
// the bundled policies.

import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { random } from '../../bench/support/synthetic';
import { WapcGuest } from '../support/wapc-guest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The test guest: the lazy reader and the DOM parser behind one waPC operation each ("lazy OP", "eager OP"). */
class Guest {
  private readonly guest: WapcGuest;

  constructor(module: WebAssembly.Module) {
    this.guest = new WapcGuest(module);
  }

  /** Runs "<mode> <op>" on payload; returns the reply text. */
  run(mode: 'lazy' | 'eager', op: string, payload: Uint8Array | string): string {
    const r = this.guest.callRaw(
      `${mode} ${op}`,
      typeof payload === 'string' ? new TextEncoder().encode(payload) : payload,
    );
    if (!r.ok) throw new Error(`guest call failed: ${r.error}`);
    return r.text;
  }

  lazy(op: string, payload: Uint8Array | string): string {
    return this.run('lazy', op, payload);
  }

  /** The lazy reader's answer, after checking that the DOM parser gives the same. */
  same(op: string, payload: Uint8Array | string, what = ''): string {
    const lazy = this.run('lazy', op, payload);
    const eager = this.run('eager', op, payload);
    assert.equal(lazy, eager, `${op} differs from the DOM parser's on ${what || show(payload)}`);
    return lazy;
  }
}

function show(payload: Uint8Array | string): string {
  const s = typeof payload === 'string' ? payload : Buffer.from(payload).toString('latin1');
  return JSON.stringify(s.length > 300 ? s.slice(0, 300) + '...' : s);
}

/** Bytes from a mix of text (UTF-8) and raw byte values. */
function bytesOf(...parts: Array<string | number[]>): Uint8Array {
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
}

// ------------------------------------------------------------------------------------------------
// Generated documents: a seeded generator (mulberry32, `random`) that favours what the reader treats specially.

// keys as written in JSON text: some decode to the same text (duplicates), some differ only past ASCII
const KEYS = [
  '"a"',
  '"\\u0061"',
  '"b"',
  '"name"',
  '"nam\\u0065"',
  '"é"',
  '"\\u00e9"',
  '"Ã©"',
  '"😀"',
  '"\\ud83d\\ude00"',
  '""',
  '"a\\"b"',
  '"}]"',
  '"kind"',
  '"containers"',
];
const STRINGS = [
  '""',
  '"x"',
  '"RuntimeDefault"',
  '"\\n\\t\\"\\\\\\/"',
  '"\\u0000\\u001F\\u001f"',
  '"é😀"',
  '"\\ud800"',
  '"\\udc00x"',
  '"{[\\"]}"',
  '"a,b:c"',
  '"\\u00E9"',
  '"registry.example.com/app:1.0.0"',
];
const NUMBERS = ['0', '-0', '1', '-1', '1.50', '-2.5E+10', '1e5', '0.0', '12345678901234567890123', '65535', '3.25e-3'];

function generate(rand: () => number, depth: number, spaced: boolean): string {
  const ws = () => (spaced && rand() < 0.3 ? [' ', '\n', '\t', '\r\n  '][Math.floor(rand() * 4)] : '');
  const pick = <T>(a: T[]) => a[Math.floor(rand() * a.length)];
  const r = rand();
  if (depth > 4 || r < 0.35) {
    const k = rand();
    if (k < 0.45) return pick(STRINGS);
    if (k < 0.8) return pick(NUMBERS);
    return pick(['true', 'false', 'null']);
  }
  const n = Math.floor(rand() * 6);
  const parts: string[] = [];
  if (r < 0.65) {
    for (let i = 0; i < n; i++)
      parts.push(`${ws()}${pick(KEYS)}${ws()}:${ws()}${generate(rand, depth + 1, spaced)}${ws()}`);
    return `{${parts.join(',') || ws()}}`;
  }
  for (let i = 0; i < n; i++) parts.push(`${ws()}${generate(rand, depth + 1, spaced)}${ws()}`);
  return `[${parts.join(',') || ws()}]`;
}

/** A broken copy of text: a byte dropped, doubled, or replaced (by structure, a quote, a backslash or a high byte). */
function corrupt(rand: () => number, text: Uint8Array): Uint8Array {
  const b = Array.from(text);
  const at = Math.floor(rand() * (b.length + 1));
  const k = rand();
  const junk = [
    0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x22, 0x5c, 0x20, 0x30, 0x2d, 0x65, 0x00, 0x1f, 0x80, 0xc3, 0xe2, 0xf0, 0xff,
  ];
  if (k < 0.3) b.splice(at, 1);
  else if (k < 0.5) b.splice(at, 0, b[at] ?? 0x20);
  else b.splice(at, 1, junk[Math.floor(rand() * junk.length)]);
  return Uint8Array.from(b);
}

// ------------------------------------------------------------------------------------------------

describe('guest SDK JSON reader (plugins/sdk/json.ts)', function () {
  this.timeout(120_000);
  let g: Guest;

  before(async function () {
    const { compilePlugin, ASC_FLAGS } = await import(pathToFileURL(join(ROOT, 'plugins', 'build.mjs')).href);
    const flags = (ASC_FLAGS as string[]).map((f) =>
      f.startsWith('abort=') ? 'abort=plugins/sdk/wapc/guestAbort' : f,
    );
    const wasm: Buffer = await compilePlugin('test/fixtures/guest-json', { pluginsDir: ROOT, flags });
    g = new Guest(new WebAssembly.Module(new Uint8Array(wasm)));
  });

  it('reads members on demand and serialises what it read', () => {
    const doc =
      '{"request":{"uid":"u","object":{"kind":"Pod","spec":{"containers":[{"name":"c","image":"i"}]}}},"settings":{}}';
    assert.equal(g.same('get', `request/object/spec/containers/#0/image\n${doc}`), '"i"');
    assert.equal(g.same('get', `request/object/spec/containers/#1\n${doc}`), '<missing>');
    assert.equal(g.same('get', `request/object/spec/nope\n${doc}`), '<missing>');
    assert.equal(g.same('get', `request/object/spec/containers/#0/name/x\n${doc}`), '<missing>');
    assert.equal(g.same('json', doc), doc); // a compact document comes back byte for byte
  });

  it("duplicate keys: the last value, in the first key's place (escaped and raw spellings alike)", () => {
    assert.equal(g.same('json', '{"a":1,"b":2,"a":3}'), '{"a":3,"b":2}');
    assert.equal(g.same('get', 'a\n{"a":1,"b":2,"a":3}'), '3');
    assert.equal(g.same('keys', 'a|b|c\n{"a":1,"b":2,"a":3}'), '0,1,-1');
    assert.equal(g.same('json', '{"\\u0061":1,"b":2,"a":3}'), '{"a":3,"b":2}');
    assert.equal(g.same('get', 'a\n{"\\u0061":1,"b":2,"a":[3]}'), '[3]');
    assert.equal(g.same('json', '{"o":{"k":1,"k":{"x":2}},"p":[{"k":1,"k":2}]}'), '{"o":{"k":{"x":2}},"p":[{"k":2}]}');
    // a compact document whose objects repeat keys is not copied as it is
    assert.equal(g.same('json', '{"s":{"a":{"b":1,"b":2}}}'), '{"s":{"a":{"b":2}}}');
    assert.equal(
      g.same('mutate', '{"o":{"a":1,"a":2},"l":[1],"s":"x"}'),
      '{"o":{"a":2,"added":"x"},"l":[1,7],"s":"x","added":"x"}',
    );
  });

  it('escaped and non-ASCII keys match by their text, not their bytes', () => {
    const doc = '{"é":1,"😀":2,"\\u00e9":3,"x\\"y":4,"\\ud83d\\ude00":5,"":6}';
    assert.equal(g.same('keys', 'é|😀|Ã©|x"y|xy||e\n' + doc), '0,1,-1,2,-1,3,-1');
    assert.equal(g.same('json', doc), '{"é":3,"😀":5,"x\\"y":4,"":6}');
    assert.equal(g.same('get', 'é\n' + doc), '3');
    // same length in UTF-16 units as the byte length of a non-ASCII key: still compared as text
    assert.equal(g.same('keys', 'Ã©|é\n{"é":1}'), '-1,0');
  });

  it('skips subtrees whose strings hold brackets, quotes, backslashes and commas', () => {
    const doc = '{"a":"}]{[\\"\\\\","b":[1,{"c":"]"},"\\"]"],"d":"x,\\"y\\":1}","e":{"f":"{"}}';
    assert.equal(g.same('get', `d\n${doc}`), '"x,\\"y\\":1}"');
    assert.equal(g.same('get', `b/#1/c\n${doc}`), '"]"');
    assert.equal(g.same('get', `b/#2\n${doc}`), '"\\"]"');
    assert.equal(g.same('get', `e/f\n${doc}`), '"{"');
    assert.equal(g.same('keys', `a|b|d|e\n${doc}`), '0,1,2,3');
  });

  it('keeps numbers as their text', () => {
    const doc = '[-0,1.50,-2.5E+10,12345678901234567890123,0e5,3.25e-3,-0.0]';
    assert.equal(g.same('json', doc), doc);
    const dump = g.same('dump', doc);
    assert.match(dump, /number -0 zero integral/);
    assert.match(dump, /number 1\.50$/m);
    assert.match(dump, /number 0e5 zero integral/);
    assert.match(dump, /number 12345678901234567890123 integral/);
  });

  it('decodes strings as the DOM parser does: escapes, surrogate pairs, lone surrogates, UTF-8', () => {
    assert.equal(
      g.same('json', '["\\ud800","\\udc00x","\\ud83d\\ude00","\\ud83d\\u0041"]'),
      '["\\ud800","\\udc00x","😀","\\ud83dA"]',
    );
    assert.equal(g.same('json', '{"a":"\\/\\u0041\\u001F\\u00e9"}'), '{"a":"/A\\u001fé"}');
    assert.equal(g.same('dump', '"é😀\\u00E9"'), 'string [e9 d83d de00 e9] 4');
    const text = JSON.stringify({ s: 'a\u0000\n"\\é😀\u001f\ud800', t: ['\t', '/'] });
    assert.equal(g.same('json', text), text); // what JSON.stringify writes is what the serializer writes
  });

  it('whitespace anywhere between tokens', () => {
    assert.equal(
      g.same('json', ' \n{ "a" :\t[ 1 , 2 ,{ } , [ ] ] ,"b":{ "c" : null } }\r\n'),
      '{"a":[1,2,{},[]],"b":{"c":null}}',
    );
    assert.equal(g.same('mutate', ' { "a" : { "b" : [ ] } } '), '{"a":{"b":[7],"added":"x"},"added":"x"}');
  });

  it("nests 128 deep and refuses 129, with the DOM parser's message", () => {
    const ok = '['.repeat(128) + ']'.repeat(128);
    assert.equal(g.same('json', ok), ok);
    const deepObject = '{"a":'.repeat(128) + '1' + '}'.repeat(128);
    assert.equal(g.same('json', deepObject), deepObject);
    assert.equal(g.same('dump', '['.repeat(129) + ']'.repeat(129)), 'error nesting too deep at offset 128');
    assert.equal(g.same('dump', '['.repeat(5000) + ']'.repeat(5000)), 'error nesting too deep at offset 128');
  });

  it("gives the DOM parser's errors, offsets in UTF-16 units after non-ASCII text", () => {
    const cases: Array<[string, string]> = [
      ['', 'unexpected end of input at offset 0'],
      ['{"a":01}', "expected ',' or '}' at offset 6"],
      ['{"é😀":tru}', 'unexpected character at offset 7'],
      ['{"a":"\\x"}', 'invalid escape sequence at offset 7'],
      ['{"a":1.}', 'invalid number: digits expected after decimal point at offset 7'],
      ['[1,]', 'unexpected character at offset 3'],
      ['{"a":1,}', 'expected object key at offset 7'],
      ['{"request":1} x', 'trailing characters after JSON value at offset 14'],
      ['"\u0001"', 'control character in string at offset 1'],
      ['"\\u12"', 'invalid \\u escape at offset 3'],
      ['\ufeff{}', 'unexpected character at offset 0'],
      ['{"a" 1}', "expected ':' at offset 5"],
      ['"abc', 'unterminated string at offset 4'],
    ];
    for (const [doc, err] of cases) assert.equal(g.same('dump', doc), `error ${err}`, doc);
  });

  it('bytes that are not valid UTF-8 go to the DOM parser, whatever it makes of them', () => {
    // the decoder folds 0xC3 0x22 into one character: the DOM parser takes this array of one string
    const folded = bytesOf('["a', [0xc3, 0x22], 'b"]');
    assert.doesNotMatch(g.same('dump', folded, 'folded'), /^error/);
    for (const bad of [
      bytesOf('["', [0xff], '"]'),
      bytesOf('["', [0xed, 0xa0, 0x80], '"]'),
      bytesOf('["', [0xc0, 0xaf], '"]'),
      bytesOf('{"', [0xe2, 0x82], '":1}'),
      bytesOf('[1]', [0x80]),
    ]) {
      g.same('dump', bad, 'invalid UTF-8');
      g.same('json', bad, 'invalid UTF-8');
    }
  });

  it('agrees with the DOM parser on generated documents, and on broken copies of them', () => {
    const rand = random(20261127);
    let broken = 0;
    for (let i = 0; i < 400; i++) {
      const text = generate(rand, 0, i % 2 === 1);
      const dump = g.same('dump', text);
      assert.doesNotMatch(dump, /BAD/, text);
      assert.doesNotMatch(dump, /^error/, text);
      g.same('json', text);
      g.same('mutate', text);
      // a few paths through it
      const value = JSON.parse(text);
      if (value !== null && typeof value === 'object') {
        const keys = Array.isArray(value) ? value.map((_: unknown, k: number) => `#${k}`) : Object.keys(value);
        for (const k of keys.slice(0, 3)) if (!k.includes('/') && !k.includes('\n')) g.same('get', `${k}\n${text}`);
        g.same('keys', `a|é|name|😀|kind|Ã©\n${text}`);
      }
      for (let j = 0; j < 4; j++) {
        const bad = corrupt(rand, new TextEncoder().encode(text));
        if (g.same('dump', bad).startsWith('error ')) broken++;
      }
    }
    assert.ok(broken > 400, `only ${broken} broken copies were invalid`);
  });
});
