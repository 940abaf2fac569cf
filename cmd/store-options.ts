/** The store flags shared by check, inspect, pull, push, digest and save (plain yargs option objects). */
import type { Logger } from '../lib/base/log';
import { UsageError } from './context';
import { PULL_POLICIES, type FetchOptions, type PullPolicy } from '../lib/store/fetch';

export interface StoreArgs {
  pull?: PullPolicy;
  'registry-timeout'?: number;
  'sources-path'?: string;
  'docker-config'?: string;
}

export const PULL_OPTION = {
  type: 'string',
  choices: PULL_POLICIES,
  describe:
    'When to contact registries: always, missing (use the store copy), never (offline). Default: use the store copy unless the tag is latest',
} as const;

export const SOURCES_PATH_OPTION = {
  type: 'string',
  describe:
    "sources.yaml with insecure_sources and source_authorities (default: kwctl's, e.g. ~/.config/kubewarden/sources.yaml)",
} as const;

export const DOCKER_CONFIG_OPTION = {
  type: 'string',
  alias: 'docker-config-json-path',
  describe: 'Directory with the config.json holding registry credentials (default: $DOCKER_CONFIG, else ~/.docker)',
} as const;

/** Whole-transfer deadline of each registry or https:// request (lib/store/fetch.ts default). */
export const REGISTRY_TIMEOUT_OPTION = {
  type: 'number',
  default: 30,
  describe: 'Seconds each registry or https:// request may take in all, body included',
} as const;

export function fetchOptionsFromArgs(args: StoreArgs, log?: Logger, pullDefault?: PullPolicy): FetchOptions {
  const o: FetchOptions = {};
  const pull = args.pull ?? pullDefault;
  if (pull) o.pull = pull;
  if (args['sources-path']) o.sourcesPath = args['sources-path'];
  if (args['docker-config']) o.dockerConfig = args['docker-config'];
  const timeout = args['registry-timeout'];
  if (timeout !== undefined) {
    if (!(timeout > 0) || !Number.isFinite(timeout))
      throw new UsageError(`--registry-timeout must be a number of seconds above 0, got ${timeout}`);
    o.timeoutMs = Math.max(1, Math.round(timeout * 1000));
  }
  if (log) o.log = log;
  return o;
}
