import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fetchPolicy, type FetchOptions } from '../../store/fetch';
import { readMetadata, type PolicyMetadata } from '../../wasm/metadata';
import { storedUriForShaPrefix } from '../policy-ref';
import { ScaffoldError } from './manifest';

/**
 * A module named as kwctl names it (a reference, a local path, or a sha256 prefix of a stored policy), with the URI
 * a policy resource would carry (local paths become file:// URIs, as kwctl's get_uri makes them) and its metadata.
 */
export async function moduleWithMetadata(
  ref: string,
  fetch: FetchOptions,
): Promise<{ uri: string; metadata: PolicyMetadata }> {
  const uri = (await storedUriForShaPrefix(ref, fetch)) ?? (await localUri(ref)) ?? ref;
  const bytes = await fetchPolicy(uri, fetch);
  const metadata = readMetadata(new WebAssembly.Module(new Uint8Array(bytes)));
  if (!metadata)
    throw new ScaffoldError(
      `No Kubewarden metadata found inside of '${uri}'.\nPolicies can be annotated with the \`kwctl annotate\` command (here: kubectl wasmpolicy annotate).`,
    );
  return { uri, metadata };
}

async function localUri(ref: string): Promise<string | undefined> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) return undefined;
  try {
    if ((await fs.stat(ref)).isFile()) return `file://${path.resolve(ref)}`;
  } catch {
    return undefined;
  }
  return undefined;
}
