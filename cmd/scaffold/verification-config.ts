import type { Argv, ArgumentsCamelCase } from 'yargs';
import { DEFAULT_VERIFICATION_CONFIG, formatVerificationConfig } from '../../lib/verification/config';
import { defaultVerificationConfigPath } from '../../lib/verification/default-path';
import type { GlobalArgs } from '../context';

export function builder(y: Argv<GlobalArgs>): Argv<GlobalArgs> {
  return y;
}

/** kwctl's `scaffold verification-config`: the default config (policies signed by Kubewarden's workflows). */
export async function handler(_args: ArgumentsCamelCase<GlobalArgs>): Promise<void> {
  const header = [
    '# Default Kubewarden verification config',
    '#',
    '# With this config, the only valid policies are those signed by Kubewarden',
    '# infrastructure.',
    '#',
    '# This config can be saved to its default location (for this OS) with:',
    `#   kubectl wasmpolicy scaffold verification-config > ${defaultVerificationConfigPath()}`,
    '#',
    '# Providing a config in the default location enables Sigstore verification.',
    '# See docs/verification.md for more Sigstore verification options.',
  ].join('\n');
  process.stdout.write(`${header}\n${formatVerificationConfig(DEFAULT_VERIFICATION_CONFIG)}`);
}
