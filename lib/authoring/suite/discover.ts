import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { SUITE_FILE_NAME, SUITE_KIND } from './types';

/** A path that is not a suite or holds none: reported like a broken suite (exit 2). */
export interface DiscoveryProblem {
  path: string;
  reason: string;
}

const SKIPPED_DIRS = new Set(['node_modules', '.git', 'dist']);
const KIND_LINE = new RegExp(`^kind:\\s*["']?${SUITE_KIND}["']?\\s*$`, 'm');

/**
 * The suite files under `paths`, sorted: files given by name are suites; directories are searched recursively
 * for `wasmpolicy-test.yaml` and for YAML files with a top-level `kind: PolicyTestSuite`.
 */
export async function discoverSuites(
  paths: readonly string[],
): Promise<{ files: string[]; problems: DiscoveryProblem[] }> {
  const files: string[] = [];
  const problems: DiscoveryProblem[] = [];
  for (const p of paths) {
    let st;
    try {
      st = await fs.stat(p);
    } catch {
      problems.push({ path: p, reason: 'no such file or directory' });
      continue;
    }
    if (st.isFile()) {
      files.push(p);
      continue;
    }
    const before = files.length;
    await walk(p, files);
    if (files.length === before)
      problems.push({
        path: p,
        reason: `no test suites in it (${SUITE_FILE_NAME}, or YAML files of kind ${SUITE_KIND})`,
      });
  }
  return { files: [...new Set(files)], problems };
}

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIPPED_DIRS.has(e.name)) await walk(p, out);
    } else if (e.isFile() && /\.ya?ml$/.test(e.name)) {
      if (e.name === SUITE_FILE_NAME || (await declaresSuite(p))) out.push(p);
    }
  }
}

/** Reads the head of a YAML file for a top-level `kind: PolicyTestSuite` line. */
async function declaresSuite(file: string): Promise<boolean> {
  const h = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await h.read(buf, 0, buf.length, 0);
    return KIND_LINE.test(buf.subarray(0, bytesRead).toString('utf8'));
  } finally {
    await h.close();
  }
}
