import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * Writes a file by writing a sibling temporary file and renaming it, so readers never see half a file. `data`
 * may come in pieces (an iterable of strings), written as they come.
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string | Iterable<string>, mode?: number): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await fs.writeFile(tmp, data, mode !== undefined ? { mode } : {});
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}
