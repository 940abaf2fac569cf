import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import * as jsyaml from 'js-yaml';
import { DocumentLocator, FileLocator, parseDottedPath, parseJsonPointer } from '../../../lib/manifests/locate';
import { escapeData, escapeProperty } from '../../../lib/report/github';
import { unifiedDiff } from '../../../lib/report/diff';
import { parseOutputs } from '../../../lib/report/output';
import { fixture, runCli } from '../../support/cli';

const require = createRequire(import.meta.url);
const Ajv04 = require('ajv-draft-04') as typeof import('ajv-draft-04').default;
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;

const INPUTS = fixture('sarif', 'inputs');
const YAML_FILE = path.join(INPUTS, 'locations.yaml');
const JSON_FILE = path.join(INPUTS, 'pod.json');

/** Expected field positions (1-based line:col) of the privileged container of each object in the inputs. */
const EXPECTED: Record<string, string> = {
  first: 'locations.yaml:12:7',
  listed: 'locations.yaml:25:11',
  merged: 'locations.yaml:36:11',
  'json-pod': 'pod.json:7:7',
};

describe('report: field locations (lib/manifests/locate)', () => {
  const text = readFileSync(YAML_FILE, 'utf8');

  it('parses JSON pointers and dotted paths', () => {
    assert.deepEqual(parseJsonPointer('/spec/containers/0/a~1b~0c'), ['spec', 'containers', 0, 'a/b~c']);
    assert.deepEqual(parseDottedPath('spec.template.spec.containers[10]'), [
      'spec',
      'template',
      'spec',
      'containers',
      10,
    ]);
    assert.equal(parseDottedPath('not a path'), undefined);
  });

  it('finds keys and items across comments, in multi-document files and List items', () => {
    const loc = new FileLocator(text);
    assert.deepEqual(loc.locate({ docIndex: 0 }, ['spec', 'containers', 1]), {
      line: 12,
      column: 7,
      path: '/spec/containers/1',
      exact: true,
    });
    assert.deepEqual(loc.locate({ docIndex: 0 }, ['metadata', 'name']), {
      line: 5,
      column: 3,
      path: '/metadata/name',
      exact: true,
    });
    assert.equal(
      loc.locate({ docIndex: 1, itemIndex: 0 }, ['spec', 'containers', 0, 'securityContext', 'privileged'])?.line,
      28,
    );
    const item1 = loc.locate({ docIndex: 1, itemIndex: 1 }, ['metadata', 'name']);
    assert.deepEqual(item1, { line: 32, column: 7, path: '/metadata/name', exact: true });
  });

  it('follows aliases and merge keys to where the text is', () => {
    const loc = new FileLocator(text);
    // `privileged` of the merged container comes from the anchored one through `<<: *base`.
    assert.deepEqual(
      loc.locate({ docIndex: 1, itemIndex: 1 }, ['spec', 'containers', 0, 'securityContext', 'privileged']),
      { line: 28, column: 13, path: '/spec/containers/0/securityContext/privileged', exact: true },
    );
    // `name` is overridden in the merging mapping.
    assert.equal(loc.locate({ docIndex: 1, itemIndex: 1 }, ['spec', 'containers', 0, 'name'])?.line, 37);
  });

  it('gives the longest existing prefix for fields a mutation adds', () => {
    const loc = new FileLocator(text);
    assert.deepEqual(loc.locate({ docIndex: 0 }, ['spec', 'containers', 0, 'securityContext', 'capabilities']), {
      line: 10,
      column: 7,
      path: '/spec/containers/0',
      exact: false,
    });
    assert.equal(loc.locate({ docIndex: 0 }, ['nothing']), undefined);
    assert.equal(loc.locate({ docIndex: 7 }, ['spec']), undefined);
  });

  it('answers documents asked out of order as a fresh locator does (it keeps one document parsed at a time)', () => {
    const fresh = (docIndex: number, itemIndex?: number): unknown =>
      new FileLocator(text).locate({ docIndex, ...(itemIndex !== undefined ? { itemIndex } : {}) }, [
        'metadata',
        'name',
      ]);
    const loc = new FileLocator(text);
    for (const [d, i] of [[1, 1], [0], [1, 0], [1, 1], [7], [0], [0]] as [number, number?][]) {
      const got = loc.locate({ docIndex: d, ...(i !== undefined ? { itemIndex: i } : {}) }, ['metadata', 'name']);
      assert.deepEqual(got, fresh(d, i), `document ${d} item ${i}`);
    }
    assert.equal(loc.locate({ docIndex: 0 }, ['metadata', 'name'])?.line, 5);
  });

  it('counts lines the same with CRLF line ends, and reads JSON', () => {
    const crlf = new FileLocator(text.replace(/\n/g, '\r\n'));
    assert.deepEqual(crlf.locate({ docIndex: 0 }, ['spec', 'containers', 1]), {
      line: 12,
      column: 7,
      path: '/spec/containers/1',
      exact: true,
    });
    assert.equal(crlf.locate({ docIndex: 1, itemIndex: 1 }, ['metadata', 'name'])?.line, 32);
    const json = new DocumentLocator(readFileSync(JSON_FILE, 'utf8'));
    assert.deepEqual(json.locate(['spec', 'containers', 0, 'securityContext']), {
      line: 8,
      column: 9,
      path: '/spec/containers/0/securityContext',
      exact: true,
    });
  });
});

describe('report: unit helpers', () => {
  it('escapes GitHub workflow command data and properties', () => {
    assert.equal(escapeData('50% a\r\nb: c, d'), '50%25 a%0D%0Ab: c, d');
    assert.equal(escapeProperty('a:b,c%\n'), 'a%3Ab%2Cc%25%0A');
  });

  it('makes unified diffs with context and hunk headers', () => {
    const a = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const b = ['a', 'b', 'c', 'd', 'X', 'e', 'f', 'g', 'h'];
    assert.deepEqual(
      unifiedDiff(a, b).map((l) => l.kind + l.text),
      ['@@@ -2,6 +2,7 @@', ' b', ' c', ' d', '+X', ' e', ' f', ' g'],
    );
    assert.deepEqual(unifiedDiff(a, a), []);
  });

  it('parses -o values', () => {
    assert.deepEqual(parseOutputs(['sarif=out.sarif', 'text'], ['text', 'sarif']), [
      { format: 'sarif', file: 'out.sarif' },
      { format: 'text' },
    ]);
    assert.deepEqual(parseOutputs([], ['text']), [{ format: 'text' }]);
    assert.throws(() => parseOutputs(['json', 'text'], ['text', 'json']), /at most one format can go to stdout/);
    assert.throws(() => parseOutputs(['xml'], ['text']), /unknown format "xml"/);
    assert.throws(() => parseOutputs(['json=a', 'text=a'], ['text', 'json']), /named twice/);
  });
});

interface Outputs {
  code: number;
  stdout: string;
  stderr: string;
  files: Record<string, string>;
  dir: string;
}

/** One run writing every machine format to a file and `github` to stdout; inputs: YAML (LF and CRLF) and JSON. */
async function runAll(extra: string[] = []): Promise<Outputs> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-report-'));
  writeFileSync(path.join(dir, 'crlf.yaml'), readFileSync(YAML_FILE, 'utf8').replace(/\n/g, '\r\n'));
  const formats = ['json', 'yaml', 'junit', 'sarif', 'text', 'policyreport'];
  const args = [
    'check',
    '-f',
    YAML_FILE,
    '-f',
    JSON_FILE,
    '-f',
    path.join(dir, 'crlf.yaml'),
    '-p',
    'builtin://pss-privileged',
    '-p',
    'builtin://pss-capabilities-restricted',
    ...extra,
  ];
  for (const f of formats) args.push('-o', `${f}=${path.join(dir, 'out.' + f)}`);
  args.push('-o', 'github');
  const r = await runCli(args);
  const files: Record<string, string> = {};
  for (const f of formats) files[f] = readFileSync(path.join(dir, 'out.' + f), 'utf8');
  return { ...r, files, dir };
}

function nameOf(fullyQualifiedName: string): string {
  return fullyQualifiedName.split('/').pop()!;
}

interface PolicyReportDoc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  scope: { apiVersion: string; kind: string; name: string; namespace?: string; uid: string };
  summary: Record<string, number>;
  results: {
    policy: string;
    result: string;
    severity?: string;
    message?: string;
    timestamp: { seconds: number; nanos: number };
    properties: Record<string, string>;
  }[];
}

/** The report CRDs' structural schema as JSON Schema, with unknown fields forbidden (the API server would prune them). */
function reportSchema(): Record<string, unknown> {
  const doc = jsyaml.load(readFileSync(fixture('policyreport', 'crds.yaml'), 'utf8')) as {
    crds: { spec: { versions: { schema: { openAPIV3Schema: unknown } }[] } }[];
  };
  type Node = {
    properties?: Record<string, Node>;
    items?: Node;
    additionalProperties?: Node | boolean;
    [k: string]: unknown;
  };
  const strict = (n: Node): Node => {
    const o: Node = { ...n };
    if (n.properties) {
      o.properties = Object.fromEntries(Object.entries(n.properties).map(([k, v]) => [k, strict(v)]));
      if (n.additionalProperties === undefined) o.additionalProperties = false;
    }
    if (n.items) o.items = strict(n.items);
    return o;
  };
  return strict(doc.crds[0].spec.versions[0].schema.openAPIV3Schema as Node) as Record<string, unknown>;
}

function assertReportSchema(r: PolicyReportDoc, apiVersion: string, kind: string): void {
  const ajv = new Ajv04({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(reportSchema());
  assert.ok(validate(r), JSON.stringify(validate.errors));
  assert.equal(validate({ ...r, results: [{ result: 'passed' }] }), false, 'the schema does check');
  assert.equal(r.apiVersion, apiVersion);
  assert.equal(r.kind, kind);
}

describe('report: policyreport kinds', function () {
  it('writes ClusterPolicyReports for cluster-scoped objects, OpenReports with --report-kind, pinned timestamps', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-polr-'));
    const file = path.join(dir, 'in.yaml');
    writeFileSync(
      file,
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n---\n' + readFileSync(JSON_FILE, 'utf8'),
    );
    const base = ['check', '-f', file, '-p', 'builtin://pss-privileged', '-o', 'policyreport'];
    const env = { SOURCE_DATE_EPOCH: '1700000000' };
    const polr = await runCli(base, { env });
    assert.equal(polr.code, 1, polr.stderr);
    const [ns, pod] = jsyaml.loadAll(polr.stdout) as PolicyReportDoc[];
    assertReportSchema(ns, 'wgpolicyk8s.io/v1alpha2', 'ClusterPolicyReport');
    assert.equal(ns.metadata.namespace, undefined);
    assert.deepEqual(ns.summary, { pass: 0, fail: 0, warn: 0, error: 0, skip: 1 });
    assert.deepEqual(ns.results, [], 'skipped policies are counted, not listed (as audit-scanner)');
    assertReportSchema(pod, 'wgpolicyk8s.io/v1alpha2', 'PolicyReport');
    assert.deepEqual(pod.results[0].timestamp, { seconds: 1700000000, nanos: 0 });
    assert.equal(pod.results[0].properties['source-line'], '6');
    const open = await runCli([...base, '--report-kind', 'openreports'], { env });
    const [ons, opod] = jsyaml.loadAll(open.stdout) as PolicyReportDoc[];
    assertReportSchema(ons, 'openreports.io/v1alpha1', 'ClusterReport');
    assertReportSchema(opod, 'openreports.io/v1alpha1', 'Report');
    assert.deepEqual(opod.results, pod.results);
    const bad = await runCli([...base, '--report-kind', 'kyverno']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /report-kind/);
  });
});

describe('report: every format, through the CLI', function () {
  let out: Outputs;
  before(async function () {
    out = await runAll();
    assert.equal(out.code, 1, out.stderr);
  });

  it('writes the files atomically (no temporary files left) and github to stdout', () => {
    assert.deepEqual(readdirSync(out.dir).sort(), [
      'crlf.yaml',
      'out.json',
      'out.junit',
      'out.policyreport',
      'out.sarif',
      'out.text',
      'out.yaml',
    ]);
    assert.match(out.stdout, /^::error /m);
    assert.doesNotMatch(out.stdout, /"results"/);
  });

  it('sarif: valid against the SARIF 2.1.0 schema, one rule per policy, results at the field', () => {
    const schema = JSON.parse(readFileSync(fixture('sarif', 'sarif-schema-2.1.0.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const log = JSON.parse(out.files.sarif) as {
      version: string;
      runs: {
        tool: {
          driver: {
            rules: {
              id: string;
              shortDescription: { text: string };
              fullDescription: { text: string };
              helpUri?: string;
              properties: Record<string, unknown>;
            }[];
          };
        };
        results: {
          ruleId: string;
          ruleIndex: number;
          level: string;
          message: { text: string };
          locations: {
            physicalLocation: {
              artifactLocation: { uri: string; uriBaseId?: string };
              region: { startLine: number; startColumn?: number };
            };
            logicalLocations: { fullyQualifiedName: string }[];
          }[];
          properties: Record<string, unknown>;
        }[];
      }[];
    };
    assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
    assert.equal(
      validate({ version: '2.1.0', runs: [{ results: [] }] }),
      false,
      'the schema does check (a run needs its tool)',
    );
    assert.equal(log.version, '2.1.0');
    const run = log.runs[0];
    assert.deepEqual(
      run.tool.driver.rules.map((r) => r.id),
      ['pss-privileged', 'pss-capabilities-restricted'],
    );
    const priv = run.tool.driver.rules[0];
    assert.match(priv.fullDescription.text, /privileged containers/);
    assert.equal(priv.properties.severity, 'high');
    assert.equal(priv.properties['security-severity'], '7.0');
    assert.match(priv.helpUri ?? '', /^https:\/\//);
    const seen = new Set<string>();
    for (const r of run.results.filter((x) => x.ruleId === 'pss-privileged')) {
      assert.equal(r.level, 'error');
      assert.equal(run.tool.driver.rules[r.ruleIndex].id, r.ruleId);
      const loc = r.locations[0];
      const file = path.basename(decodeURIComponent(loc.physicalLocation.artifactLocation.uri));
      const name = nameOf(loc.logicalLocations[0].fullyQualifiedName);
      const at = `${file === 'crlf.yaml' ? 'locations.yaml' : file}:${loc.physicalLocation.region.startLine}:${loc.physicalLocation.region.startColumn}`;
      assert.equal(at, EXPECTED[name], `${file} ${name}`);
      seen.add(`${file}/${name}`);
    }
    assert.equal(seen.size, 7, [...seen].join(' '));
    const mutation = run.results.find((x) => x.ruleId === 'pss-capabilities-restricted');
    assert.ok(mutation);
    assert.equal(mutation.level, 'note');
    assert.ok(Array.isArray(mutation.properties.patch));
  });

  it('junit: well-formed XML, one testcase per object × policy, rejections as failures', () => {
    assert.equal(XMLValidator.validate(out.files.junit), true);
    const doc = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      isArray: (n) => n === 'testsuite' || n === 'testcase',
    }).parse(out.files.junit) as {
      testsuites: {
        tests: string;
        failures: string;
        testsuite: { name: string; testcase: { name: string; line?: string; failure?: { message: string } }[] }[];
      };
    };
    const suites = doc.testsuites.testsuite;
    assert.deepEqual(
      suites.map((s) => s.name),
      ['pss-privileged', 'pss-capabilities-restricted'],
    );
    assert.equal(suites[0].testcase.length, 7, 'seven objects (three files)');
    assert.equal(suites[1].testcase.length, 7);
    assert.equal(Number(doc.testsuites.tests), 14);
    const failed = suites[0].testcase.filter((t) => t.failure);
    assert.equal(failed.length, 7);
    assert.match(failed[0].failure!.message, /privileged containers are not allowed/);
    assert.equal(failed[0].line, '12');
  });

  it('json and yaml: the documented CheckReport, the same document, with field locations', () => {
    const json = JSON.parse(out.files.json) as Record<string, unknown>;
    const yaml = jsyaml.load(out.files.yaml) as Record<string, unknown>;
    assert.deepEqual(yaml, json);
    assertCheckReport(json);
    const results = json.results as {
      source: { file: string; line: number; itemIndex?: number };
      object?: { name: string };
      policy?: string;
      location?: { line: number; column: number; path: string };
      patch?: unknown[];
    }[];
    for (const r of results.filter((x) => x.policy === 'pss-privileged' && x.object)) {
      const file = path.basename(r.source.file);
      assert.equal(
        `${file === 'crlf.yaml' ? 'locations.yaml' : file}:${r.location!.line}:${r.location!.column}`,
        EXPECTED[r.object!.name],
      );
    }
    const listed = results.find((r) => r.object?.name === 'listed' && r.policy === 'pss-privileged');
    assert.equal(listed!.source.itemIndex, 0);
    assert.equal(listed!.location!.path, '/spec/containers/0');
    const mutated = results.find((r) => r.object?.name === 'first' && r.policy === 'pss-capabilities-restricted');
    assert.ok(mutated?.patch && mutated.location);
    assert.equal(
      mutated.location.path,
      '/spec/containers/0',
      'the mutation adds securityContext under the first container',
    );
  });

  it('policyreport: one PolicyReport per object, valid against the report CRD fields, file:line in properties', () => {
    const reports = jsyaml.loadAll(out.files.policyreport) as PolicyReportDoc[];
    assert.equal(reports.length, 7, 'one report per object');
    for (const r of reports) assertReportSchema(r, 'wgpolicyk8s.io/v1alpha2', 'PolicyReport');
    for (const r of reports) {
      assert.equal(r.metadata.labels['app.kubernetes.io/managed-by'], 'kubewarden');
      assert.equal(r.metadata.name, r.scope.uid);
      assert.deepEqual(r.summary, { pass: 1, fail: 1, warn: 0, error: 0, skip: 0 }, r.scope.name);
      const priv = r.results.find((x) => x.policy === 'pss-privileged')!;
      assert.equal(priv.result, 'fail');
      assert.match(priv.message ?? '', /privileged containers are not allowed/);
      assert.equal(priv.severity, 'high');
      const file = path.basename(priv.properties['source-file']);
      assert.equal(
        `${file === 'crlf.yaml' ? 'locations.yaml' : file}:${priv.properties['field-line']}:${priv.properties['field-column']}`,
        EXPECTED[r.scope.name],
      );
      const mut = r.results.find((x) => x.policy === 'pss-capabilities-restricted')!;
      assert.equal(mut.result, 'pass');
      assert.equal(mut.properties.mutating, 'true');
      assert.ok(Array.isArray(JSON.parse(mut.properties.patch)));
    }
    // The same object read twice (LF and CRLF copies) gets the same report name: re-runs update, not duplicate.
    const names = reports.map((r) => `${r.scope.namespace}/${r.scope.name}=${r.metadata.name}`);
    assert.equal(new Set(names).size, 4, names.join(' '));
  });

  it('github: workflow commands with file, line, col and escaped title', () => {
    const lines = out.stdout.trimEnd().split('\n');
    const first = lines.find((l) => l.includes('Pod team/first') && l.startsWith('::error '));
    assert.ok(first, out.stdout);
    assert.match(
      first,
      /^::error file=[^,]*locations\.yaml,line=12,col=7,title=pss-privileged%3A Pod team\/first::container "bad"/,
    );
    const json = lines.find((l) => l.includes('json-pod') && l.startsWith('::error '));
    assert.match(json!, /pod\.json,line=7,col=7,/);
    const notice = lines.find((l) => l.startsWith('::notice '));
    assert.ok(notice && notice.includes('%0A'), 'multi-line messages are escaped');
    assert.match(lines[lines.length - 1], /^7 objects, 2 policies: /);
  });

  it('text: file:line lines, the field location, a YAML diff for mutations, the summary last', () => {
    const t = out.files.text;
    assert.match(
      t,
      /locations\.yaml:2: rejected: Pod team\/first by pss-privileged: container "bad" \(spec\.containers\[1\]\)/,
    );
    assert.match(t, /^ {4}at .*locations\.yaml:12:7 \(spec\.containers\[1\]\)$/m);
    assert.match(t, /^ {4}--- before\n {4}\+\+\+ after\n {4}@@ -\d+,\d+ \+\d+,\d+ @@/m);
    assert.match(t, /^ {4}\+ {8}capabilities:$/m);
    assert.doesNotMatch(t, /\x1b\[/, 'no colour in files');
    assert.match(
      t.trimEnd().split('\n').pop()!,
      /^7 objects, 2 policies: 0 passed, 7 mutated, 7 rejected, 0 warnings, 0 errors, 0 skipped$/,
    );
  });

  it('rejects two formats on stdout with exit 2', async () => {
    const r = await runCli(['check', '-f', JSON_FILE, '-o', 'json', '-o', 'text']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /at most one format can go to stdout/);
  });
});

/** The shape docs/output-formats.md documents. */
function assertCheckReport(doc: Record<string, unknown>): void {
  assert.equal(doc.apiVersion, 'wasmpolicy.kubewarden.io/v1alpha1');
  assert.equal(doc.kind, 'CheckReport');
  assert.deepEqual(Object.keys(doc).sort(), ['apiVersion', 'kind', 'policies', 'results', 'summary']);
  const allowed = [
    'source',
    'object',
    'policy',
    'verdict',
    'message',
    'code',
    'location',
    'stage',
    'patch',
    'warnings',
    'causes',
  ];
  for (const r of doc.results as Record<string, unknown>[]) {
    for (const k of Object.keys(r)) assert.ok(allowed.includes(k), `unexpected field ${k}`);
    assert.match(r.verdict as string, /^(pass|fail|warn|skip|error)$/);
    const s = r.source as Record<string, unknown>;
    assert.equal(typeof s.file, 'string');
    assert.equal(typeof s.line, 'number');
    assert.equal(typeof s.docIndex, 'number');
    if (r.location) assert.deepEqual(Object.keys(r.location as object).sort(), ['column', 'line', 'path']);
  }
  for (const p of doc.policies as Record<string, unknown>[]) {
    for (const k of ['id', 'module', 'mode', 'mutating', 'sha256']) assert.ok(k in p, `policy field ${k}`);
  }
  for (const k of ['objects', 'policies', 'pass', 'fail', 'warn', 'skip', 'error', 'mutated'])
    assert.equal(typeof (doc.summary as Record<string, unknown>)[k], 'number');
}
