import type { HostCapabilityOptions } from '../lib/capabilities/run';
import { parseAllowedHostCapabilities } from '../lib/capabilities/grants';
import { readSession, SessionFileError } from '../lib/capabilities/session';
import { UsageError } from './context';

/** kwctl's record/replay flags for host capability exchanges, shared by check and audit. */
export interface SessionArgs {
  'record-host-capabilities-interactions'?: string;
  'replay-host-capabilities-interactions'?: string;
  'allowed-host-capabilities'?: string[];
}

export const SESSION_OPTIONS = {
  'record-host-capabilities-interactions': {
    type: 'string',
    describe: 'Write every host capability exchange of the run to FILE (kwctl session format; the run uses one worker)',
  },
  'replay-host-capabilities-interactions': {
    type: 'string',
    describe: 'Answer host capability calls from a session FILE recorded earlier, strictly in order',
  },
  'allowed-host-capabilities': {
    type: 'string',
    array: true,
    describe:
      "Host capabilities policies may call, repeatable (kwctl's flag): e.g. 'oci/*', net/v1/dns_lookup_host, kubernetes/get_resource, '*'. Default: kubernetes/* only (registries and DNS need a grant)",
  },
} as const;

/** The flags as options for RunCapabilities; a UsageError for both at once or an unreadable session. */
export async function sessionOptionsFromArgs(
  args: SessionArgs,
): Promise<Pick<HostCapabilityOptions, 'record' | 'replay' | 'allowedHostCapabilities'>> {
  const granted = args['allowed-host-capabilities'];
  if (granted === undefined) return sessionFiles(args);
  let allowedHostCapabilities: string[];
  try {
    allowedHostCapabilities = parseAllowedHostCapabilities(granted);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return { ...(await sessionFiles(args)), allowedHostCapabilities };
}

async function sessionFiles(args: SessionArgs): Promise<Pick<HostCapabilityOptions, 'record' | 'replay'>> {
  const record = args['record-host-capabilities-interactions'];
  const replayFile = args['replay-host-capabilities-interactions'];
  if (record !== undefined && replayFile !== undefined)
    throw new UsageError(
      'give either --record-host-capabilities-interactions or --replay-host-capabilities-interactions, not both',
    );
  if (replayFile === undefined) return record !== undefined ? { record } : {};
  try {
    return { replay: { file: replayFile, exchanges: await readSession(replayFile) } };
  } catch (err) {
    if (err instanceof SessionFileError) throw new UsageError(`--replay-host-capabilities-interactions ${err.message}`);
    throw err;
  }
}
