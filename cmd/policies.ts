import type { Argv, ArgumentsCamelCase } from 'yargs';
import { defaultStoreRoot } from '../lib/store/locations';
import { listStoredPolicies } from '../lib/store/manage';
import type { GlobalArgs } from './context';

interface PoliciesArgs extends GlobalArgs {
  output: string;
}

export function builder(y: Argv<GlobalArgs>): Argv<PoliciesArgs> {
  return y.option('output', { alias: 'o', choices: ['text', 'json'], default: 'text', describe: 'Output format' });
}

export async function handler(args: ArgumentsCamelCase<PoliciesArgs>): Promise<void> {
  const list = await listStoredPolicies();
  if (args.output === 'json') {
    process.stdout.write(
      JSON.stringify(
        list.map(({ uri, path, mutating, contextAware, executionMode, sha256, size, manifestDigest, title }) => ({
          ref: uri,
          mutating: mutating ?? null,
          contextAware: contextAware ?? null,
          executionMode: executionMode ?? null,
          sha256,
          size,
          path,
          ...(manifestDigest ? { manifestDigest } : {}),
          ...(title ? { title } : {}),
        })),
        null,
        2,
      ) + '\n',
    );
    return;
  }
  if (list.length === 0) {
    process.stdout.write(`No policies in the store (${defaultStoreRoot()}).\n`);
    return;
  }
  const yn = (b: boolean | undefined) => (b === undefined ? '?' : b ? 'yes' : 'no');
  const rows = [
    ['REFERENCE', 'MUTATING', 'CONTEXT-AWARE', 'EXECUTION MODE', 'SHA-256', 'SIZE'],
    ...list.map((p) => [
      p.uri,
      yn(p.mutating),
      yn(p.contextAware),
      p.executionMode ?? 'unannotated',
      p.sha256.slice(0, 12),
      humanSize(p.size),
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  process.stdout.write(
    rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n') + '\n',
  );
}

function humanSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1048576).toFixed(1)} MiB`;
}
