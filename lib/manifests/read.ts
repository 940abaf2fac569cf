import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BoundedReadError, readRegularFileSync, tooLargeMessage } from '../base/bounded-read';
import type { InputLimits } from './limits';

const MANIFEST_EXT = /\.(ya?ml|json)$/i;

/** One thing to read: a file found on disk, stdin or a URL. */
export type InputSource = { type: 'file'; path: string } | { type: 'stdin' } | { type: 'url'; url: string };

/** An input that could not be read at all (missing file, HTTP error); reported like a bad document. */
export interface InputReadError {
  name: string;
  message: string;
}

export interface ExpandResult {
  sources: InputSource[];
  errors: InputReadError[];
}

/**
 * Expands `-f` arguments as kubectl does: a directory yields its .yaml/.yml/.json files in lexical order (all
 * levels with -R, the top level otherwise), a file is taken whatever its extension, `-` is stdin.
 */
export async function expandInputs(args: string[], recursive: boolean): Promise<ExpandResult> {
  const sources: InputSource[] = [];
  const errors: InputReadError[] = [];
  for (const arg of args) {
    if (arg === '-') {
      sources.push({ type: 'stdin' });
      continue;
    }
    if (/^https?:\/\//i.test(arg)) {
      sources.push({ type: 'url', url: arg });
      continue;
    }
    let stat;
    try {
      stat = await fs.stat(arg);
    } catch (err) {
      errors.push({ name: arg, message: `cannot read: ${systemMessage(err)}` });
      continue;
    }
    if (stat.isDirectory()) {
      const files = await listDirectory(arg, recursive, errors, await fs.realpath(arg));
      if (files.length === 0)
        errors.push({
          name: arg,
          message: `no .yaml, .yml or .json files in directory${recursive ? '' : ' (use -R to descend into sub-directories)'}`,
        });
      for (const f of files) sources.push({ type: 'file', path: f });
    } else {
      sources.push({ type: 'file', path: arg });
    }
  }
  return { sources, errors };
}

/**
 * `root` is the real path of the directory named on the command line: a symbolic link whose target is outside it
 * (`x.yaml -> /dev/zero`, `-> ~/.kube/config`; git keeps links) is refused, not read.
 */
async function listDirectory(
  dir: string,
  recursive: boolean,
  errors: InputReadError[],
  root: string,
): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    errors.push({ name: dir, message: `cannot read directory: ${systemMessage(err)}` });
    return [];
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (recursive) out.push(...(await listDirectory(full, true, errors, root)));
    } else if (e.isFile() && MANIFEST_EXT.test(e.name)) {
      out.push(full);
    } else if (e.isSymbolicLink() && MANIFEST_EXT.test(e.name)) {
      let target: string;
      try {
        target = await fs.realpath(full);
      } catch (err) {
        errors.push({
          name: full,
          message: `cannot read: symbolic link to ${await linkText(full)}: ${systemMessage(err)}`,
        });
        continue;
      }
      if (!isInside(root, target)) {
        errors.push({ name: full, message: `not read: a symbolic link to ${target}, outside ${root}` });
        continue;
      }
      out.push(full);
    }
  }
  return out;
}

function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel !== '' && rel !== '..' && !rel.startsWith('..' + path.sep) && !path.isAbsolute(rel);
}

async function linkText(file: string): Promise<string> {
  try {
    return await fs.readlink(file);
  } catch {
    return '?';
  }
}

/** How results name an input. A URL's user and password (`https://user:token@host/...`) are left out of it. */
export function sourceName(s: InputSource): string {
  return s.type === 'file' ? s.path : s.type === 'url' ? withoutUserinfo(s.url) : '-';
}

function splitCredentials(url: string): { href: string; authorization?: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { href: url };
  }
  if (u.username === '' && u.password === '') return { href: url };
  const authorization =
    'Basic ' + Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
  u.username = '';
  u.password = '';
  return { href: u.href, authorization };
}

export function withoutUserinfo(url: string): string {
  try {
    const u = new URL(url);
    if (u.username === '' && u.password === '') return url;
    u.username = '';
    u.password = '';
    return u.href;
  } catch {
    return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1');
  }
}

/** Reads a source as UTF-8 text, enforcing the size limit. */
export async function readSource(
  s: InputSource,
  limits: InputLimits,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<string> {
  switch (s.type) {
    case 'file': {
      // Synchronous: a manifest is read in well under a millisecond, and the promise API makes five round trips
      // through libuv's thread pool per file (open, fstat, read, close), one file after the other.
      let bytes: Buffer;
      try {
        bytes = readRegularFileSync(s.path, limits.maxInputBytes);
      } catch (err) {
        throw new Error(fileReadMessage(err as BoundedReadError));
      }
      return decode(bytes);
    }
    case 'stdin':
      return decode(await readStream(stdin, limits));
    case 'url':
      return decode(await fetchUrl(s.url, limits));
  }
}

async function readStream(stream: NodeJS.ReadableStream, limits: InputLimits): Promise<Buffer> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += b.length;
    if (total > limits.maxInputBytes) throw new Error(tooLarge(total, limits));
    parts.push(b);
  }
  return Buffer.concat(parts);
}

async function fetchUrl(url: string, limits: InputLimits): Promise<Buffer> {
  let res: Response;
  try {
    // fetch refuses a URL with credentials; kubectl (Go's http client) sends them as Basic authentication.
    const { href, authorization } = splitCredentials(url);
    res = await fetch(href, {
      signal: AbortSignal.timeout(limits.urlTimeoutSeconds * 1000),
      redirect: 'follow',
      ...(authorization ? { headers: { authorization } } : {}),
    });
  } catch (err) {
    const e = err as Error & { cause?: Error };
    const why =
      e.name === 'TimeoutError' ? `no answer within ${limits.urlTimeoutSeconds}s` : (e.cause?.message ?? e.message);
    throw new Error(`cannot fetch: ${why}`);
  }
  if (!res.ok) throw new Error(`cannot fetch: HTTP ${res.status} ${res.statusText}`);
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > limits.maxInputBytes) throw new Error(tooLarge(declared, limits));
  if (!res.body) return Buffer.alloc(0);
  const parts: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      total += chunk.length;
      if (total > limits.maxInputBytes) throw new Error(tooLarge(total, limits));
      parts.push(Buffer.from(chunk));
    }
  } catch (err) {
    // The signal's deadline holds for the body too (a server sending a byte now and then).
    if ((err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError')
      throw new Error(`cannot fetch: the transfer did not complete within ${limits.urlTimeoutSeconds}s`);
    throw err;
  }
  return Buffer.concat(parts);
}

/** Why a file input could not be read, as its error entry says it. */
export function fileReadMessage(e: BoundedReadError): string {
  return e.reason === 'too-large' ? `input is ${e.message} (--max-input-size)` : `cannot read: ${e.message}`;
}

// YAML and JSON never contain NUL; this is a binary file or UTF-16, which kubectl does not read either.
export const NOT_TEXT = 'not a text file (contains NUL bytes)';

function decode(buf: Buffer): string {
  if (buf.includes(0)) throw new Error(NOT_TEXT);
  return buf.toString('utf8');
}

function tooLarge(size: number, limits: InputLimits): string {
  return `input is ${tooLargeMessage(size, limits.maxInputBytes, true)} (--max-input-size)`;
}

function systemMessage(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return 'no such file or directory';
  if (e.code === 'EACCES') return 'permission denied';
  if (e.code === 'EISDIR') return 'is a directory';
  return e.message;
}
