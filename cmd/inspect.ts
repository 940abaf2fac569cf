import * as jsyaml from 'js-yaml';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import {
  DOCKER_CONFIG_OPTION,
  REGISTRY_TIMEOUT_OPTION,
  fetchOptionsFromArgs,
  PULL_OPTION,
  SOURCES_PATH_OPTION,
  type StoreArgs,
} from './store-options';
import { manifestDigestOf, resolvePolicy } from '../lib/store/fetch';
import { compilePolicy } from '../lib/wasm/compile';
import { ANNOTATION, type PolicyMetadata } from '../lib/wasm/metadata';
import { loggerFor, type GlobalArgs } from './context';

interface InspectArgs extends GlobalArgs, StoreArgs {
  ref: string;
  output: string;
}

export function builder(y: Argv<GlobalArgs>): Argv<InspectArgs> {
  return y
    .positional('ref', {
      type: 'string',
      demandOption: true,
      describe: 'registry://host/repo:tag, https://, file path, file:// or builtin://NAME',
    })
    .option('output', { alias: 'o', choices: ['text', 'yaml', 'json'], default: 'text', describe: 'Output format' })
    .option('pull', PULL_OPTION)
    .option('sources-path', SOURCES_PATH_OPTION)
    .option('docker-config', DOCKER_CONFIG_OPTION)
    .option('registry-timeout', REGISTRY_TIMEOUT_OPTION);
}

export async function handler(args: ArgumentsCamelCase<InspectArgs>): Promise<void> {
  const fetchOpts = fetchOptionsFromArgs(args, loggerFor(args));
  const r = await resolvePolicy(args.ref, fetchOpts);
  let manifestDigest = r.manifestDigest;
  if (!manifestDigest && r.source.kind === 'registry' && fetchOpts.pull !== 'never')
    manifestDigest = await manifestDigestOf(r.source.ref, fetchOpts);
  const compiled = await compilePolicy(args.ref, r.bytes);
  const md = compiled.metadata;
  const doc = {
    ref: args.ref,
    ...(manifestDigest ? { manifestDigest } : {}),
    sha256: compiled.sha256,
    size: compiled.size,
    annotated: compiled.annotated,
    metadata: md,
  };
  if (args.output === 'json') process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  else if (args.output === 'yaml') process.stdout.write(jsyaml.dump(doc, { lineWidth: -1 }));
  else
    process.stdout.write(
      renderText(args.ref, compiled.sha256, compiled.size, compiled.annotated ? md : undefined, manifestDigest),
    );
}

function renderText(
  ref: string,
  sha256: string,
  size: number,
  md: PolicyMetadata | undefined,
  manifestDigest?: string,
): string {
  const lines: string[] = [];
  const row = (k: string, v: string | undefined): void => {
    if (v !== undefined && v !== '') lines.push(`${(k + ':').padEnd(22)}${v}`);
  };
  row('Reference', ref);
  row('Manifest digest', manifestDigest);
  row('SHA-256', sha256);
  row('Size', `${size} bytes`);
  if (!md) {
    lines.push('', 'No io.kubewarden.metadata section: the module is not annotated (see `annotate`).');
    return lines.join('\n') + '\n';
  }
  const a = md.annotations;
  row('Title', a[ANNOTATION.title]);
  row('Description', a[ANNOTATION.description]);
  row('Version', a[ANNOTATION.version]);
  row('Severity', a[ANNOTATION.severity]);
  row('Category', a[ANNOTATION.category]);
  row('Source', a[ANNOTATION.source]);
  row('Protocol version', md.protocolVersion);
  row('Execution mode', md.executionMode);
  row('Policy type', md.policyType);
  row('Mutating', String(md.mutating));
  row('Background audit', String(md.backgroundAudit));
  row(
    'Context aware',
    md.contextAwareResources.length === 0
      ? 'no'
      : md.contextAwareResources.map((r) => `${r.apiVersion}/${r.kind}`).join(', '),
  );
  row('Minimum Kubewarden', md.minimumKubewardenVersion);
  lines.push('', 'Rules:');
  for (const r of md.rules) {
    lines.push(`  - apiGroups: ${r.apiGroups.map((g) => (g === '' ? '""' : g)).join(', ')}`);
    lines.push(`    apiVersions: ${r.apiVersions.join(', ')}`);
    lines.push(`    resources: ${r.resources.join(', ')}`);
    lines.push(`    operations: ${r.operations.join(', ')}`);
    if (r.scope) lines.push(`    scope: ${r.scope}`);
  }
  const other = Object.entries(a).filter(
    ([k]) => k !== ANNOTATION.usage && !Object.values(ANNOTATION).includes(k as never),
  );
  if (other.length > 0) {
    lines.push('', 'Annotations:');
    for (const [k, v] of other) lines.push(`  ${k}: ${v}`);
  }
  if (a[ANNOTATION.usage]) lines.push('', 'Usage:', a[ANNOTATION.usage].trimEnd());
  return lines.join('\n') + '\n';
}
