import type { Argv, ArgumentsCamelCase } from 'yargs';

/** What a subcommand file exports: its flags and its handler. */
export interface CommandImpl {
  builder(y: Argv): Argv<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  handler(args: ArgumentsCamelCase<any>): Promise<void>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface CommandEntry {
  /** yargs command string: the name and its positionals. */
  command: string;
  describe: string;
  /** Loaded only when the command runs, so `--help` and one command do not pay for every other one. */
  load: () => Promise<CommandImpl>;
}

/** Every subcommand, in the order `--help` lists them. One file per subcommand in cmd/. */
export const COMMANDS: CommandEntry[] = [
  { command: 'check', describe: 'Evaluate manifests against Wasm admission policies, as the API server would on kubectl apply', load: () => import('./check') },
  { command: 'audit', describe: 'Evaluate the objects in a cluster against Wasm admission policies, as Kubewarden\'s audit scanner does', load: () => import('./audit') },
  { command: 'inspect <ref>', describe: "Show a policy's metadata", load: () => import('./inspect') },
  { command: 'annotate <wasm>', describe: 'Write the io.kubewarden.metadata section of a policy module (like kwctl annotate)', load: () => import('./annotate') },
  { command: 'pull <ref>', describe: 'Pull a policy into the local store (shared with kwctl)', load: () => import('./pull') },
  { command: 'push <wasm> <ref>', describe: 'Push a policy module to an OCI registry; prints the immutable @sha256: reference', load: () => import('./push') },
  { command: 'policies', describe: 'List the policies in the local store (shared with kwctl)', load: () => import('./policies') },
  { command: 'rm <ref>', describe: 'Remove a policy from the local store, by reference or sha256 (prefix)', load: () => import('./rm') },
  { command: 'digest <ref>', describe: 'Print the manifest digest of a registry policy, as REF@sha256:...', load: () => import('./digest') },
  { command: 'save <refs..>', describe: 'Write policies (pulled if needed) to a .tar.gz for air-gapped networks; see `load`', load: () => import('./save') },
  { command: 'load <file>', describe: 'Put the policies of an archive made by `save` into the local store', load: () => import('./load') },
  { command: 'scaffold', describe: 'Scaffold inputs for policy authors (admission-request: the AdmissionReview a webhook receives)', load: () => import('./scaffold') },
  { command: 'completion <shell>', describe: 'Print a bash or zsh completion script (also usable as kubectl_complete-wasmpolicy)', load: () => import('./completion') },
  { command: 'version', describe: 'Print the version, the commit and the Node.js version', load: () => import('./version') },
];

export function commandName(entry: CommandEntry): string {
  return entry.command.split(' ')[0];
}
