import type { CommandEntry } from './command';

export { commandName, type CommandEntry, type CommandImpl } from './command';

/** Every subcommand, in the order `--help` lists them. One file per subcommand in cmd/. */
export const COMMANDS: CommandEntry[] = [
  {
    command: 'check',
    describe: 'Evaluate manifests against Wasm admission policies, as the API server would on kubectl apply',
    load: () => import('./check'),
  },
  {
    command: 'audit',
    describe: "Evaluate the objects in a cluster against Wasm admission policies, as Kubewarden's audit scanner does",
    load: () => import('./audit'),
  },
  {
    command: 'test [paths..]',
    describe: 'Run policy test suites (wasmpolicy-test.yaml), reporting like go test',
    load: () => import('./test'),
  },
  {
    command: 'run <policy>',
    describe: 'Evaluate one AdmissionRequest with a policy and print the AdmissionResponse (a drop-in for kwctl run)',
    load: () => import('./run'),
  },
  {
    command: 'scaffold',
    describe:
      'Generate a policy resource from a module (manifest), a starter test suite (test) or the default verification config',
    load: () => import('./scaffold'),
  },
  {
    command: 'bench [ref]',
    describe: 'Time policy start-up and evaluations (min, median, p99), like kwctl bench',
    load: () => import('./bench'),
  },
  { command: 'inspect <ref>', describe: "Show a policy's metadata", load: () => import('./inspect') },
  {
    command: 'annotate <wasm>',
    describe: 'Write the io.kubewarden.metadata section of a policy module (like kwctl annotate)',
    load: () => import('./annotate'),
  },
  {
    command: 'pull <ref>',
    describe: 'Pull a policy into the local store (shared with kwctl)',
    load: () => import('./pull'),
  },
  {
    command: 'push <wasm> <ref>',
    describe: 'Push a policy module to an OCI registry; prints the immutable @sha256: reference',
    load: () => import('./push'),
  },
  {
    command: 'verify <ref>',
    describe: "Verify a policy's Sigstore signatures (keys, keyless identities, GitHub Actions) like kwctl verify",
    load: () => import('./verify'),
  },
  {
    command: 'policies',
    describe: 'List the policies in the local store (shared with kwctl)',
    load: () => import('./policies'),
  },
  {
    command: 'rm <ref>',
    describe: 'Remove a policy from the local store, by reference or sha256 (prefix)',
    load: () => import('./rm'),
  },
  {
    command: 'digest <ref>',
    describe: 'Print the manifest digest of a registry policy, as REF@sha256:...',
    load: () => import('./digest'),
  },
  {
    command: 'save <refs..>',
    describe: 'Write policies (pulled if needed) to a .tar.gz for air-gapped networks; see `load`',
    load: () => import('./save'),
  },
  {
    command: 'load <file>',
    describe: 'Put the policies of an archive made by `save` into the local store',
    load: () => import('./load'),
  },
  {
    command: 'completion <shell>',
    describe: 'Print a bash or zsh completion script (also usable as kubectl_complete-wasmpolicy)',
    load: () => import('./completion').then((m) => m.completionCommand(COMMANDS)),
  },
  {
    command: 'version',
    describe: 'Print the version, the commit and the Node.js version',
    load: () => import('./version'),
  },
];
