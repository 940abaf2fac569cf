/**
 * Which kubeconfig files to read, with kubectl's precedence: the `--kubeconfig` file alone (it must exist), else
 * every existing file of the KUBECONFIG path list (missing ones are skipped, as kubectl does), else ~/.kube/config
 * when it exists. Nothing found means in-cluster configuration may be tried.
 */
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ClusterError } from './errors';

export interface ConfigFiles {
  files: string[];
  /** How the files were chosen, for messages: "--kubeconfig", "KUBECONFIG" or "~/.kube/config". */
  origin: string;
}

export function chooseConfigFiles(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv,
  exists: (p: string) => boolean = existsSync,
): ConfigFiles {
  if (explicit !== undefined && explicit !== '') {
    if (!exists(explicit))
      throw new ClusterError(`the kubeconfig file ${explicit} (--kubeconfig) does not exist`, 'config');
    return { files: [explicit], origin: '--kubeconfig' };
  }
  const list = env.KUBECONFIG;
  if (list) {
    const named = list.split(path.delimiter).filter((p) => p !== '');
    // A path named twice is read once, at its first place, so it cannot shadow itself.
    const files = [...new Set(named)].filter((p) => exists(p));
    return { files, origin: 'KUBECONFIG' };
  }
  const home = env.HOME || env.USERPROFILE || os.homedir();
  const dflt = path.join(home, '.kube', 'config');
  return { files: exists(dflt) ? [dflt] : [], origin: '~/.kube/config' };
}
