import { promises as fs } from 'node:fs';
import type { Document, YAMLMap } from 'yaml';
import { writeFileAtomic } from '../../base/fs-atomic';
import type { Result } from '../../evaluation/result';
import { actualOf, objectKey } from './compare';
import type { CaseOutcome } from './execute';

/**
 * `--update`: cases without any expectation get the actual results written in, through the YAML document (so
 * comments, order and quoting of everything else stay); the file is replaced atomically, and only if it did not
 * change since it was read. Returns how many cases were filled in.
 */
export async function writeActuals(
  file: string,
  originalText: string,
  doc: Document,
  outcomes: readonly { outcome: CaseOutcome; node: YAMLMap }[],
): Promise<number> {
  const filled = fillActuals(doc, outcomes);
  if (filled === 0) return 0;
  const now = await fs.readFile(file, 'utf8');
  if (now !== originalText) throw new Error(`${file} changed while the suite ran; not updated`);
  await writeFileAtomic(file, doc.toString({ lineWidth: 0 }));
  return filled;
}

/** Sets the actual results on the case maps of `doc` that expect nothing yet; returns how many. */
export function fillActuals(doc: Document, outcomes: readonly { outcome: CaseOutcome; node: YAMLMap }[]): number {
  let filled = 0;
  for (const { outcome, node } of outcomes) {
    if (outcome.case.hasExpectations || outcome.status === 'error') continue;
    const evaluated = outcome.results.filter((r) => r.policy !== undefined);
    if (evaluated.length === 0) continue;
    if (evaluated.length === 1) {
      for (const [k, v] of Object.entries(expectationOf(evaluated[0]))) node.set(k, doc.createNode(v));
    } else {
      node.set(
        'results',
        doc.createNode(evaluated.map((r) => ({ object: objectKey(r), policy: r.policy, ...expectationOf(r) }))),
      );
    }
    filled++;
  }
  return filled;
}

function expectationOf(r: Result): Record<string, unknown> {
  const expect = actualOf(r);
  const out: Record<string, unknown> = { expect };
  // A message that reads as /regex/ would be taken for one: such messages are left for the author to write.
  if (
    r.message !== undefined &&
    r.message !== '' &&
    expect !== 'pass' &&
    expect !== 'skip' &&
    !/^\/.*\/[a-z]*$/s.test(r.message)
  )
    out.message = r.message;
  if (expect === 'mutate') out.patch = r.patch;
  return out;
}
