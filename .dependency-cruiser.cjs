// Dependency rules (docs/architecture.md): the folders of lib/ are layers, listed here from the bottom up; a
// file may import from its own folder and from the folders below it, never from one above. `npm run lint:deps`
// checks them (and cycles) over the sources, type-only imports included.
const LAYERS = [
  'base',
  'kube',
  'net',
  'apiserver',
  'manifests',
  'wasm',
  'store',
  'verification',
  'cluster',
  'capabilities',
  'admission',
  'policy',
  'evaluation',
  'report',
];
/** The use cases: one per command family, side by side on top of the layers; none imports another, except ... */
const USE_CASES = ['check', 'audit', 'authoring'];
/** ... authoring's test suites, which are `check` runs (a suite must test exactly what check and the cluster do). */
const USE_CASE_BASES = { authoring: ['check'] };

const folder = (names) => `^lib/(${names.join('|')})/`;

const upward = LAYERS.map((layer, i) => ({
  name: `layer-${layer}`,
  comment: `lib/${layer}/ may only import the layers below it (${LAYERS.slice(0, i).join(', ') || 'none'})`,
  severity: 'error',
  from: { path: `^lib/${layer}/` },
  to: { path: folder([...LAYERS.slice(i + 1), ...USE_CASES]) },
}));

const useCases = USE_CASES.map((u) => ({
  name: `use-case-${u}`,
  comment: `lib/${u}/ is a use case: it uses the layers, not another use case`,
  severity: 'error',
  from: { path: `^lib/${u}/` },
  to: { path: folder(USE_CASES.filter((x) => x !== u && !(USE_CASE_BASES[u] ?? []).includes(x))) },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no import cycle between files (and so none between folders), at run time or in types',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'lib-top-level',
      comment: 'every file of lib/ lives in a layer folder (lib/index.ts, the public API, excepted)',
      severity: 'error',
      from: { path: '^lib/[^/]+$', pathNot: '^lib/index\\.ts$' },
      to: {},
    },
    ...upward,
    ...useCases,
    {
      name: 'lib-not-cmd',
      comment: 'lib/ never imports the command line',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^cmd/' },
    },
    {
      name: 'sources-not-tests',
      comment: 'the program never imports test code',
      severity: 'error',
      from: { path: '^(lib|cmd)/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'layers-not-lib-index',
      comment: 'lib/index.ts is the public API for other programs; lib/ itself imports the files it needs',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^lib/index\\.ts$' },
    },
    {
      name: 'cmd-not-lib-index',
      comment: 'a command loads only its share of lib/ (start-up time): cmd/ imports the layers, not lib/index.ts',
      severity: 'error',
      from: { path: '^cmd/' },
      to: { path: '^lib/index\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|test/fixtures|plugins)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.mjs', '.js', '.cjs', '.json'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
