/**
 * Which verification a run asks for, as kwctl decides it (`src/config/verification.rs`): the verification flags
 * (`-k`, `-a`, `--cert-email` with `--cert-oidc-issuer`, `--github-owner`/`--github-repo`) make an `allOf`
 * config; otherwise `--verification-config-path`; otherwise kwctl's default config file when it exists
 * (`~/.config/kubewarden/verification-config.yml` on Linux); otherwise no verification. Flags and a config path
 * together are refused.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Logger } from '../base/log';
import { defaultVerificationConfigPath } from './default-path';
import { formatRegistryRef, type RegistryRef } from '../store/ref';
import type { RegistryClient } from '../store/registry';
import { configFromFlags, readVerificationConfig, type Annotations, type VerificationConfig } from './config';
import { PolicyVerificationError } from './errors';
import { trustRootFor, type TrustRoot } from './trust-root';
import { verifyForServers, type ModuleVerification } from './servers';
import { verifyArtifact } from './verify';

export interface VerificationInputs {
  keyFiles?: string[];
  /** `KEY=VALUE` items of `-a`. */
  annotations?: string[];
  configPath?: string;
  certEmail?: string;
  certOidcIssuer?: string;
  githubOwner?: string;
  githubRepo?: string;
  trustConfigPath?: string;
  env?: NodeJS.ProcessEnv;
}

export interface VerificationSettings {
  config: VerificationConfig;
  /** Where the config came from, for messages. */
  source: string;
  /** Asked for with flags or a config path (not kwctl's default file). */
  explicit: boolean;
  trustRoot: () => TrustRoot;
}

function annotationsOf(items: string[] | undefined): Annotations | undefined {
  const out: Annotations = {};
  for (const item of items ?? []) {
    const i = item.indexOf('=');
    if (i <= 0)
      throw new PolicyVerificationError(
        `--verification-annotation ${JSON.stringify(item)}: expected KEY=VALUE`,
        'config',
      );
    out[item.slice(0, i)] = item.slice(i + 1);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function readKey(file: string): { file: string; pem: string } {
  try {
    return { file, pem: readFileSync(file, 'utf8') };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new PolicyVerificationError(
      `--verification-key ${file}: cannot read: ${e.code === 'ENOENT' ? 'no such file' : e.message}`,
      'config',
    );
  }
}

export function verificationSettings(i: VerificationInputs): VerificationSettings | undefined {
  const fromFlags = configFromFlags({
    keys: (i.keyFiles ?? []).map(readKey),
    annotations: annotationsOf(i.annotations),
    certEmail: i.certEmail,
    certOidcIssuer: i.certOidcIssuer,
    githubOwner: i.githubOwner,
    githubRepo: i.githubRepo,
  });
  let trustRoot: TrustRoot | undefined;
  const root = (): TrustRoot => (trustRoot ??= trustRootFor(i.trustConfigPath));
  if (fromFlags) {
    if (i.configPath)
      throw new PolicyVerificationError(
        '--verification-config-path cannot be used together with other verification flags',
        'config',
      );
    return { config: fromFlags, source: 'the verification flags', explicit: true, trustRoot: root };
  }
  if (i.configPath)
    return { config: readVerificationConfig(i.configPath), source: i.configPath, explicit: true, trustRoot: root };
  const dflt = defaultVerificationConfigPath(i.env);
  if (existsSync(dflt)) return { config: readVerificationConfig(dflt), source: dflt, explicit: false, trustRoot: root };
  return undefined;
}

export interface VerificationHook {
  check: (ref: RegistryRef, client: RegistryClient) => Promise<string>;
  explicit: boolean;
}

/** The store's verification hook (FetchOptions.verify): verifies, logs, and returns the verified digest. */
export function verificationHook(s: VerificationSettings, log: Logger | undefined): VerificationHook {
  return {
    explicit: s.explicit,
    check: async (ref, client) => {
      const v = await verifyArtifact({ client, ref, config: s.config, trustRoot: s.trustRoot(), subject: 'policy' });
      log?.info(
        `verified ${formatRegistryRef(ref)} at ${v.digest} against ${s.source} (${v.satisfied.length} constraint(s) satisfied by ${v.trusted} of ${v.signatures} signature(s))`,
      );
      return v.digest;
    },
  };
}

/**
 * The hook of a run that verifies for the flags (`own`, may be absent) and, with `--from-cluster`, for the
 * PolicyServers that run each module: both must hold, on the same digest.
 */
export function combinedHook(
  own: VerificationHook | undefined,
  servers: ModuleVerification,
  trust: () => TrustRoot,
  log: Logger | undefined,
): VerificationHook {
  return {
    explicit: own?.explicit ?? false,
    check: async (ref, client) => {
      const mine = own ? await own.check(ref, client) : undefined;
      const theirs = await verifyForServers(servers, ref, client, trust(), log);
      if (mine !== undefined && theirs !== undefined && mine !== theirs) {
        throw new PolicyVerificationError(
          `${formatRegistryRef(ref)}: the tag moved during verification (${mine}, then ${theirs})`,
          'unsatisfied',
        );
      }
      return mine ?? theirs ?? (await client.manifestDigest(ref));
    },
  };
}
