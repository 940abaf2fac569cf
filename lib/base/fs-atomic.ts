import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * Writes a file by writing a temporary file next to it and renaming it over it, so readers never see half a file.
 * `data` may come in pieces (an iterable of strings), written as they come.
 *
 * The temporary file has a random name and is created exclusively (O_CREAT|O_EXCL, `wx`): a file or symbolic link
 * planted at that name in a shared or hostile directory makes the write fail instead of being followed. When `file`
 * is a symbolic link, the link is kept and its target is replaced (the temporary file is made next to the target),
 * as a shell redirection or an editor writing through a link does.
 */
export async function writeFileAtomic(
  file: string,
  data: Uint8Array | string | Iterable<string>,
  mode?: number,
): Promise<void> {
  const target = await writeTarget(file);
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(12).toString('hex')}.tmp`);
  const handle = await fs.open(tmp, 'wx', mode ?? 0o666);
  try {
    try {
      if (typeof data === 'string' || data instanceof Uint8Array) await handle.writeFile(data);
      else for (const piece of data) await handle.write(piece);
      // open's mode is filtered by the umask; the mode of the file replaced is kept exactly.
      if (mode !== undefined) await handle.chmod(mode);
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, target);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/** `file`, or the file its symbolic link (chain) points to. A link to nothing is an error: nothing is created. */
async function writeTarget(file: string): Promise<string> {
  let st;
  try {
    st = await fs.lstat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return file;
    throw err;
  }
  if (!st.isSymbolicLink()) return file;
  try {
    return await fs.realpath(file);
  } catch (err) {
    const e = new Error(
      `${file} is a symbolic link to ${await fs.readlink(file).catch(() => '?')}, which does not exist: not written`,
    ) as NodeJS.ErrnoException;
    e.code = (err as NodeJS.ErrnoException).code;
    throw e;
  }
}
