import { stringify } from 'yaml';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { moduleWithMetadata } from '../../lib/authoring/scaffold/module';
import { MANIFEST_TYPES, scaffoldManifest, type ManifestType } from '../../lib/authoring/scaffold/manifest';
import {
  DOCKER_CONFIG_OPTION,
  fetchOptionsFromArgs,
  PULL_OPTION,
  SOURCES_PATH_OPTION,
  type StoreArgs,
} from '../store-options';
import { loggerFor, type GlobalArgs } from '../context';
import { readSettingsFlags } from '../policy-flag-options';

interface ManifestArgs extends GlobalArgs, StoreArgs {
  policy: string;
  type: ManifestType;
  'settings-path'?: string;
  'settings-json'?: string;
  title?: string;
  'allow-context-aware': boolean;
}

export function builder(y: Argv<GlobalArgs>): Argv<ManifestArgs> {
  return y
    .positional('policy', {
      type: 'string',
      demandOption: true,
      describe: 'Policy reference, local path, or sha256 prefix of a stored policy',
    })
    .option('type', {
      choices: MANIFEST_TYPES,
      demandOption: true,
      describe: 'Kind of the resource to write',
    })
    .option('settings-path', { alias: 's', type: 'string', describe: 'File with the settings (YAML or JSON)' })
    .option('settings-json', { type: 'string', describe: 'Settings (a JSON object)' })
    .option('title', {
      type: 'string',
      describe: 'metadata.name of the resource (default: the policy title of the metadata)',
    })
    .option('allow-context-aware', {
      type: 'boolean',
      default: false,
      describe: "Copy the metadata's contextAwareResources into the resource",
    })
    .option('pull', PULL_OPTION)
    .option('sources-path', SOURCES_PATH_OPTION)
    .option('docker-config', DOCKER_CONFIG_OPTION);
}

/** As kwctl: the YAML on stdout, warnings on stderr, `Error: ...` and exit 1 when it cannot be made. */
export async function handler(args: ArgumentsCamelCase<ManifestArgs>): Promise<void> {
  const log = loggerFor(args);
  try {
    const settings = (await readSettingsFlags(args['settings-json'], args['settings-path'])) ?? {};
    const { uri, metadata } = await moduleWithMetadata(args.policy, fetchOptionsFromArgs(args, log));
    const { resource, warnings } = scaffoldManifest({
      uri,
      metadata,
      type: args.type,
      settings,
      ...(args.title !== undefined ? { title: args.title } : {}),
      allowContextAware: args['allow-context-aware'],
    });
    for (const w of warnings) log.warn(w);
    process.stdout.write(stringify(resource, { lineWidth: 0 }));
  } catch (err) {
    process.stderr.write(`Error: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
