import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { expandInputs, sourceName } from '../../manifests/read';
import { executeSuite, type ExecuteOptions } from '../suite/execute';
import { parseSuite } from '../suite/parse';
import { SUITE_API_VERSION, SUITE_KIND } from '../suite/types';
import { fillActuals } from '../suite/update';
import { ScaffoldError } from './manifest';

export interface StarterSuiteInput {
  /** Where the suite will be written: paths in it are relative to this file's folder. */
  file: string;
  policy: { name?: string; module: string; settings?: Record<string, unknown> };
  /** Manifest files and directories; each file is a case. */
  inputs: string[];
}

/**
 * A starter suite: the policy, one case per manifest file under `inputs` (recursively), each with the results the
 * policy gives today filled in (as `test --update` fills them), for the author to review. Returns the YAML text.
 */
export async function starterSuite(
  input: StarterSuiteInput,
  opts: ExecuteOptions,
): Promise<{ text: string; cases: number }> {
  const dir = path.dirname(path.resolve(input.file));
  // Each case is named by its file's path inside the input that holds it.
  const files: { file: string; name: string }[] = [];
  for (const arg of input.inputs) {
    const { sources, errors } = await expandInputs([arg], true);
    if (errors.length > 0) throw new ScaffoldError(errors.map((e) => `${e.name}: ${e.message}`).join('\n'));
    const isDir = await fs.stat(arg).then(
      (st) => st.isDirectory(),
      () => false,
    );
    for (const f of sources.map(sourceName).filter((n) => n !== '-' && !/^https?:\/\//.test(n))) {
      files.push({ file: f, name: isDir ? path.relative(arg, f).split(path.sep).join('/') : path.basename(f) });
    }
  }
  if (files.length === 0) throw new ScaffoldError(`no manifest files in ${input.inputs.join(', ')}`);
  // A local module is written relative to the suite, as the suite's own paths are.
  const local = !/^[a-z][a-z0-9+.-]*:\/\//i.test(input.policy.module) && (await exists(input.policy.module));
  const module = local ? toSuitePath(path.relative(dir, path.resolve(input.policy.module))) : input.policy.module;
  const name =
    input.policy.name ??
    (path
      .basename(module)
      .replace(/\.wasm$/, '')
      .replace(/:[^:/]*$/, '') ||
      'policy');
  const doc = {
    apiVersion: SUITE_API_VERSION,
    kind: SUITE_KIND,
    metadata: { name: path.basename(dir) },
    policies: [
      {
        name,
        module,
        ...(input.policy.settings && Object.keys(input.policy.settings).length > 0
          ? { settings: input.policy.settings }
          : {}),
      },
    ],
    cases: files.map((f) => ({ name: f.name, resource: toSuitePath(path.relative(dir, path.resolve(f.file))) })),
  };
  const text = `# Starter suite made by \`kubectl wasmpolicy scaffold test\`: the results are what the policy gives today.\n# Review every case before you rely on it (docs/testing-policies.md).\n${stringify(doc, { lineWidth: 0 })}`;
  const parsed = parseSuite(input.file, text);
  const outcomes = await executeSuite(parsed.suite, parsed.suite.cases, opts);
  const broken = outcomes.filter((o) => o.status === 'error');
  if (broken.length > 0)
    throw new ScaffoldError(broken.map((o) => `${o.case.name}: ${o.error ?? 'could not run'}`).join('\n'));
  fillActuals(
    parsed.doc,
    outcomes.map((o, i) => ({ outcome: o, node: parsed.caseNodes[i] })),
  );
  return { text: parsed.doc.toString({ lineWidth: 0 }), cases: outcomes.length };
}

/** Relative paths with forward slashes, starting with ./ when they would read as a reference. */
function toSuitePath(p: string): string {
  const s = p.split(path.sep).join('/');
  return s.startsWith('.') || s.startsWith('/') ? s : `./${s}`;
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.stat(p);
    return true;
  } catch {
    return false;
  }
}
