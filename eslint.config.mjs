// ESLint (flat config) for the TypeScript sources and the Node scripts; `npm run lint`. Rules are the recommended
// sets of ESLint and typescript-eslint, with the exceptions below, each for a reason the code base has.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeGlobals = Object.fromEntries(
  [
    'process',
    'console',
    'Buffer',
    'URL',
    'URLSearchParams',
    'TextEncoder',
    'TextDecoder',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'queueMicrotask',
    'structuredClone',
    'performance',
    'fetch',
    'AbortController',
    'SharedArrayBuffer',
    'Atomics',
    'WebAssembly',
    '__dirname',
    '__filename',
    'require',
    'module',
    'exports',
  ].map((g) => [g, 'readonly']),
);

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', 'node_modules/**', 'test/fixtures/**', 'plugins/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: nodeGlobals, ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      // Unused arguments keep an interface's shape (reporters, capability sources); a leading _ is not the style here.
      '@typescript-eslint/no-unused-vars': ['error', { args: 'none', caughtErrors: 'none', ignoreRestSiblings: true }],
      // `catch {}` and `() => {}` are deliberate: silent loggers, best-effort clean-up.
      'no-empty': ['error', { allowEmptyCatch: true }],
      '@typescript-eslint/no-empty-function': 'off',
      // Control characters are what the YAML, JSON and terminal code matches on.
      'no-control-regex': 'off',
      // `let [count, pos] = read(...)` where only the cursor moves on: the pair stays one declaration.
      'prefer-const': ['error', { destructuring: 'all', ignoreReadBeforeAssign: true }],
      // Hand-written binary and string scanners keep their cursors up to date past the last read.
      'no-useless-assignment': 'off',
      // Messages are for users: the cause is folded into the text, never shown as a chain.
      'preserve-caught-error': 'off',
    },
  },
  {
    // Tests read loosely typed JSON documents field by field; lib/ and cmd/ have no `any`.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'warn' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
