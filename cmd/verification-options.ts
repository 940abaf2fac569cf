/** kwctl's verification flags, shared by verify, pull, check, audit (and run). */
import type { Argv } from 'yargs';
import type { Logger } from '../lib/base/log';
import { existsSync } from 'node:fs';
import { defaultVerificationConfigPath } from '../lib/verification/default-path';
import type { VerificationHook, VerificationSettings } from '../lib/verification/settings';
import type { TrustRoot } from '../lib/verification/trust-root';
import type { ModuleVerification } from '../lib/verification/servers';
import { UsageError } from './context';

export interface VerificationArgs {
  'verification-key'?: string[];
  'verification-annotation'?: string[];
  'verification-config-path'?: string;
  'cert-email'?: string;
  'cert-oidc-issuer'?: string;
  'github-owner'?: string;
  'github-repo'?: string;
  'sigstore-trust-config'?: string;
}

/**
 * Adds the flags. `-k` is kwctl's short name for `--verification-key`; `check` keeps `-k` for `--kustomize`
 * (kubectl's), so there it is long only (`shortKey: false`).
 */
export function withVerificationOptions<T>(y: Argv<T>, shortKey = true): Argv<T & VerificationArgs> {
  return y
    .option('verification-key', {
      ...(shortKey ? { alias: 'k' } : {}),
      type: 'string',
      array: true,
      describe: 'Verify the policy with this public key (PEM); repeatable (every key must have signed it)',
    })
    .option('verification-annotation', {
      alias: 'a',
      type: 'string',
      array: true,
      describe: 'KEY=VALUE the signatures must carry; repeatable',
    })
    .option('verification-config-path', {
      type: 'string',
      describe:
        "Verification config (kwctl's format: allOf/anyOf of pubKey, genericIssuer, githubAction); default: kwctl's verification-config.yml when it exists",
    })
    .option('cert-email', {
      type: 'string',
      describe: 'Keyless: the signing certificate must be for this email (with --cert-oidc-issuer)',
    })
    .option('cert-oidc-issuer', {
      type: 'string',
      describe: 'Keyless: the OIDC issuer of the signing certificate (with --cert-email)',
    })
    .option('github-owner', { type: 'string', describe: 'Keyless: signed by a GitHub Actions workflow of this owner' })
    .option('github-repo', { type: 'string', describe: 'Keyless: ... and of this repository (with --github-owner)' })
    .option('sigstore-trust-config', {
      type: 'string',
      describe:
        'Sigstore ClientTrustConfig or trusted root JSON (default: the public-good trust root shipped with the tool)',
    });
}

function asked(args: VerificationArgs): boolean {
  const keys: (keyof VerificationArgs)[] = [
    'verification-key',
    'verification-annotation',
    'verification-config-path',
    'cert-email',
    'cert-oidc-issuer',
    'github-owner',
    'github-repo',
  ];
  return keys.some((k) => args[k] !== undefined) || existsSync(defaultVerificationConfigPath());
}

/**
 * The verification the flags (or kwctl's default config file) ask for. The Sigstore libraries are loaded only
 * then: most runs verify nothing, and start-up is what a pre-commit hook pays on every call.
 */
export async function verificationFromArgs(args: VerificationArgs): Promise<VerificationSettings | undefined> {
  if (!asked(args)) return undefined;
  const { verificationSettings } = await import('../lib/verification/settings');
  const { PolicyVerificationError } = await import('../lib/verification/errors');
  try {
    return verificationSettings({
      keyFiles: args['verification-key'],
      annotations: args['verification-annotation'],
      configPath: args['verification-config-path'],
      certEmail: args['cert-email'],
      certOidcIssuer: args['cert-oidc-issuer'],
      githubOwner: args['github-owner'],
      githubRepo: args['github-repo'],
      trustConfigPath: args['sigstore-trust-config'],
    });
  } catch (err) {
    if (err instanceof PolicyVerificationError) throw new UsageError(err.message);
    throw err;
  }
}

/**
 * FetchOptions fields for verification before use: what the flags ask for, and with `--from-cluster` what the
 * PolicyServers' verification configs ask for (both must hold, on the same digest).
 */
export async function verifyFetchOption(
  args: VerificationArgs,
  log: Logger,
  servers?: ModuleVerification,
): Promise<{ verify?: VerificationHook }> {
  const s = await verificationFromArgs(args);
  const fromServers = servers !== undefined && servers.size > 0;
  if (!s && !fromServers) return {};
  const { combinedHook, verificationHook } = await import('../lib/verification/settings');
  const own = s ? verificationHook(s, log) : undefined;
  if (!fromServers) return own ? { verify: own } : {};
  const { trustRootFor } = await import('../lib/verification/trust-root');
  // The flags' root when they verify too (read once by them), else one read for the whole run.
  let fallback: TrustRoot | undefined;
  const trust = s?.trustRoot ?? (() => (fallback ??= trustRootFor(args['sigstore-trust-config'])));
  return { verify: combinedHook(own, servers, trust, log) };
}
