import { promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BUILTIN_SCHEME, builtinPath, bundledPolicyNames } from '../policy/builtin';

/** A policy module that could not be obtained. */
export class PolicyFetchError extends Error {
  override name = 'PolicyFetchError';
}

const MAX_MODULE_BYTES = 256 * 1024 * 1024;

/** Reads the bytes of a policy module named by `ref` (builtin://, file://, a path, https://). */
export async function fetchPolicy(ref: string): Promise<Uint8Array> {
  if (ref.startsWith(BUILTIN_SCHEME)) {
    const name = ref.slice(BUILTIN_SCHEME.length);
    const names = bundledPolicyNames();
    if (!names.includes(name)) {
      throw new PolicyFetchError(
        names.length === 0
          ? `${ref}: the bundled policies are missing (run npm run build)`
          : `${ref}: no bundled policy of that name; bundled policies: ${names.join(', ')}`,
      );
    }
    return readFile(ref, builtinPath(name));
  }
  if (ref.startsWith('file://')) return readFile(ref, fileURLToPath(ref));
  if (/^https?:\/\//.test(ref)) return download(ref);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) {
    throw new PolicyFetchError(`${ref}: ${ref.split('://')[0]}:// sources are not supported yet (use a file path, file:// or builtin://)`);
  }
  return readFile(ref, ref);
}

async function readFile(ref: string, file: string): Promise<Uint8Array> {
  try {
    const stat = await fs.stat(file);
    if (stat.isDirectory()) throw new PolicyFetchError(`${ref}: is a directory, not a .wasm file`);
    if (stat.size > MAX_MODULE_BYTES) throw new PolicyFetchError(`${ref}: ${stat.size} bytes is larger than the ${MAX_MODULE_BYTES} byte limit`);
    return await fs.readFile(file);
  } catch (err) {
    if (err instanceof PolicyFetchError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new PolicyFetchError(`${ref}: cannot read: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
}

async function download(url: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  } catch (err) {
    const e = err as Error & { cause?: Error };
    throw new PolicyFetchError(`${url}: cannot fetch: ${e.cause?.message ?? e.message}`);
  }
  if (!res.ok) throw new PolicyFetchError(`${url}: cannot fetch: HTTP ${res.status} ${res.statusText}`);
  const buf = new Uint8Array(await res.arrayBuffer());
  if (buf.length > MAX_MODULE_BYTES) throw new PolicyFetchError(`${url}: larger than the ${MAX_MODULE_BYTES} byte limit`);
  return buf;
}
