import type { Argv, ArgumentsCamelCase } from 'yargs';
import { DOCKER_CONFIG_OPTION, fetchOptionsFromArgs, SOURCES_PATH_OPTION, type StoreArgs } from './store-options';
import { storeContext } from '../lib/store/fetch';
import { formatRegistryRef, parseSourceRef, sourceKindName } from '../lib/store/ref';
import { PolicyFetchError } from '../lib/store/errors';
import { PolicyVerificationError } from '../lib/verification/errors';
import { verifyArtifact } from '../lib/verification/verify';
import { EXIT_REJECTED } from '../lib/report/exit-code';
import { loggerFor, UsageError, type GlobalArgs } from './context';
import { verificationFromArgs, withVerificationOptions, type VerificationArgs } from './verification-options';

interface VerifyArgs extends GlobalArgs, StoreArgs, VerificationArgs {
  ref: string;
}

export function builder(y: Argv<GlobalArgs>): Argv<VerifyArgs> {
  const base = y
    .positional('ref', {
      type: 'string',
      demandOption: true,
      describe: 'registry://host/repo:tag|@sha256:..., or host/repo:tag',
    })
    .option('sources-path', SOURCES_PATH_OPTION)
    .option('docker-config', DOCKER_CONFIG_OPTION);
  return withVerificationOptions(base);
}

/** Exit 0 verified, 1 not verified (a signature constraint failed), 2 could not verify (bad flags, registry errors). */
export async function handler(args: ArgumentsCamelCase<VerifyArgs>): Promise<void> {
  const log = loggerFor(args);
  const settings = await verificationFromArgs(args);
  if (!settings)
    throw new UsageError(
      'nothing to verify against: pass -k/--verification-key, --verification-config-path, --cert-email with --cert-oidc-issuer, or --github-owner (or write a default config with `scaffold verification-config`)',
    );
  const source = (() => {
    try {
      return parseSourceRef(args.ref);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  })();
  if (source.kind !== 'registry')
    throw new UsageError(
      `${args.ref}: only policies in OCI registries carry signatures (this is a ${sourceKindName(source.kind)} reference)`,
    );
  try {
    const client = await storeContext(fetchOptionsFromArgs(args, log)).client();
    const v = await verifyArtifact({
      client,
      ref: source.ref,
      config: settings.config,
      trustRoot: settings.trustRoot(),
      subject: 'policy',
    });
    process.stdout.write(
      `Verified: ${formatRegistryRef(source.ref)}\n  manifest: ${v.digest}\n  config:   ${settings.source}\n  signatures: ${v.signatures} found, ${v.trusted} usable; ${v.satisfied.length} constraint(s) satisfied\n`,
    );
  } catch (err) {
    if (err instanceof PolicyVerificationError && (err.kind === 'unsatisfied' || err.kind === 'no-signatures')) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = EXIT_REJECTED;
      return;
    }
    if (err instanceof PolicyVerificationError || err instanceof PolicyFetchError) throw new UsageError(err.message);
    throw err;
  }
}
