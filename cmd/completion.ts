import yargs, { type Argv, type ArgumentsCamelCase } from 'yargs';
import { commandName, type CommandEntry, type CommandImpl } from './command';
import { withGlobalOptions, type GlobalArgs } from './context';

/**
 * `completion bash|zsh`: a completion script for `kubectl-wasmpolicy` and, run as the executable
 * `kubectl_complete-wasmpolicy`, for `kubectl wasmpolicy` (kubectl ≥ 1.26 asks that executable for a plugin's
 * completions, in cobra's `__complete` format: one candidate a line, then `:DIRECTIVE`).
 * The scripts are static: commands, flags and choices are read from the command builders when the script is made.
 */

export const SHELLS = ['bash', 'zsh'] as const;
export type Shell = (typeof SHELLS)[number];

interface CompletionArgs extends GlobalArgs {
  shell: Shell;
}

export interface FlagSpec {
  /** `--long` and `-s` spellings. */
  names: string[];
  takesValue: boolean;
  choices?: string[];
}

export interface CommandSpec {
  name: string;
  flags: FlagSpec[];
  /** Words for the first positional, when it is one of a fixed set. */
  positionals?: string[];
}

/** Flags every command accepts (defined in cmd/main.ts). */
export const GLOBAL_FLAGS: FlagSpec[] = [
  { names: ['--verbose', '-v'], takesValue: false },
  { names: ['--color', '--no-color'], takesValue: false },
  { names: ['--quiet', '-q'], takesValue: false },
  { names: ['--help', '-h'], takesValue: false },
];

export function builder(y: Argv<GlobalArgs>): Argv<CompletionArgs> {
  return y
    .positional('shell', {
      choices: SHELLS,
      demandOption: true,
      describe: 'Shell to print the completion script for',
    })
    .example('source <(kubectl wasmpolicy completion bash)', 'bash: complete kubectl-wasmpolicy in this shell')
    .example(
      'kubectl wasmpolicy completion bash > ~/.local/bin/kubectl_complete-wasmpolicy && chmod +x ~/.local/bin/kubectl_complete-wasmpolicy',
      'complete `kubectl wasmpolicy` through kubectl (≥ 1.26)',
    );
}

/** The command, given the commands whose flags it completes (cmd/commands.ts passes its table: no import cycle). */
export function completionCommand(commands: readonly CommandEntry[]): CommandImpl {
  return {
    builder,
    handler: async (args: ArgumentsCamelCase<CompletionArgs>): Promise<void> => {
      process.stdout.write(completionScript(args.shell, await commandSpecs(commands)));
    },
  };
}

/** Every command with its flags, read from its builder. */
export async function commandSpecs(commands: readonly CommandEntry[]): Promise<CommandSpec[]> {
  const out: CommandSpec[] = [];
  for (const c of commands) {
    const impl = await c.load();
    const name = commandName(c);
    const subs = impl.SUBCOMMANDS;
    // A group completes its subcommand names, and the flags of all of them.
    const flags = subs
      ? uniqueFlags(subs.flatMap((s) => flagsOf(s.impl.builder(withGlobalOptions(yargs([]))))))
      : flagsOf(impl.builder(withGlobalOptions(yargs([]))));
    const spec: CommandSpec = { name, flags };
    if (name === 'completion') spec.positionals = [...SHELLS];
    if (subs) spec.positionals = subs.map((s) => s.command.split(' ')[0]);
    out.push(spec);
  }
  return out;
}

interface YargsOptions {
  key: Record<string, unknown>;
  alias: Record<string, string[]>;
  boolean: string[];
  count: string[];
  choices: Record<string, unknown[]>;
  hiddenOptions: string[];
}

/** The global flags' names, which GLOBAL_FLAGS completes for every command. */
const GLOBAL_KEYS = new Set(
  GLOBAL_FLAGS.flatMap((f) => f.names.filter((n) => n.startsWith('--')).map((n) => n.slice(2))),
);

/** A command's own flags: those its builder added to the global ones. */
function flagsOf(y: Argv<unknown>): FlagSpec[] {
  const o = (y as unknown as { getOptions(): YargsOptions }).getOptions();
  const aliasOf = new Set(Object.values(o.alias).flat());
  const flags: FlagSpec[] = [];
  for (const key of Object.keys(o.key)) {
    if (
      aliasOf.has(key) ||
      GLOBAL_KEYS.has(key) ||
      o.hiddenOptions.includes(key) ||
      key === '$0' ||
      key === '_' ||
      key === 'help' ||
      key === 'version'
    )
      continue;
    const names = [key, ...(o.alias[key] ?? [])].map((n) => (n.length === 1 ? `-${n}` : `--${n}`));
    const takesValue = !o.boolean.includes(key) && !o.count.includes(key);
    const choices = o.choices[key]?.map(String);
    flags.push({ names, takesValue, ...(choices?.length ? { choices } : {}) });
  }
  return flags;
}

function uniqueFlags(flags: FlagSpec[]): FlagSpec[] {
  const seen = new Set<string>();
  return flags.filter((f) => {
    const key = f.names[0];
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function shQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The shared core, POSIX sh (it runs in bash and zsh): `__kwp_candidates WORD...` takes the words after the
 * program name, the last being the one completed, and prints cobra's `__complete` answer.
 * Directive 4 is "no file completion", 0 "default" (the shell completes files when nothing matches).
 */
export function coreScript(specs: CommandSpec[]): string {
  const list = (words: string[]): string => words.map(shQuote).join(' ');
  const lines: string[] = [];
  lines.push('__kwp_out() {');
  lines.push('  for __kwp_c in "$@"; do');
  lines.push('    case "$__kwp_c" in "$__kwp_cur"*) printf \'%s\\n\' "$__kwp_c" ;; esac');
  lines.push('  done');
  lines.push('}');
  lines.push('__kwp_candidates() {');
  lines.push('  __kwp_cmd=; __kwp_prev=; __kwp_cur=; __kwp_i=0');
  lines.push('  for __kwp_w in "$@"; do');
  lines.push('    __kwp_i=$((__kwp_i + 1))');
  lines.push('    if [ "$__kwp_i" -eq "$#" ]; then __kwp_cur=$__kwp_w; break; fi');
  lines.push('    if [ -z "$__kwp_cmd" ]; then');
  lines.push(`      case "$__kwp_w" in ${specs.map((s) => shQuote(s.name)).join('|')}) __kwp_cmd=$__kwp_w ;; esac`);
  lines.push('    fi');
  lines.push('    __kwp_prev=$__kwp_w');
  lines.push('  done');
  // The value of a flag that takes one: its choices, else files.
  lines.push('  case "$__kwp_cur" in -*) ;; *)');
  lines.push('    case "$__kwp_cmd:$__kwp_prev" in');
  for (const s of specs) {
    for (const f of s.flags) {
      if (!f.takesValue) continue;
      const pattern = f.names.map((n) => `${s.name}:${n}`).join('|');
      lines.push(
        f.choices
          ? `      ${pattern}) __kwp_out ${list(f.choices)}; echo :4; return ;;`
          : `      ${pattern}) echo :0; return ;;`,
      );
    }
  }
  lines.push('    esac ;;');
  lines.push('  esac');
  const globals = GLOBAL_FLAGS.flatMap((f) => f.names);
  lines.push('  case "$__kwp_cmd" in');
  lines.push(
    `    '') case "$__kwp_cur" in -*) __kwp_out ${list(globals)} ;; *) __kwp_out ${list(specs.map((s) => s.name))} ;; esac; echo :4 ;;`,
  );
  for (const s of specs) {
    const flags = [...s.flags.flatMap((f) => f.names), ...globals];
    const positional = s.positionals ? `__kwp_out ${list(s.positionals)}; echo :4` : 'echo :0';
    lines.push(
      `    ${shQuote(s.name)}) case "$__kwp_cur" in -*) __kwp_out ${list(flags)}; echo :4 ;; *) ${positional} ;; esac ;;`,
    );
  }
  lines.push('  esac');
  lines.push('}');
  return lines.join('\n') + '\n';
}

export function completionScript(shell: Shell, specs: CommandSpec[]): string {
  const core = coreScript(specs);
  if (shell === 'bash') {
    return `#!/usr/bin/env bash
# bash completion for kubectl-wasmpolicy. Made by \`kubectl wasmpolicy completion bash\`.
#   source <(kubectl wasmpolicy completion bash)         completes kubectl-wasmpolicy ...
#   saved as an executable kubectl_complete-wasmpolicy on PATH, kubectl (>= 1.26) uses it for kubectl wasmpolicy ...
${core}
if [ -n "\${BASH_SOURCE[0]:-}" ] && [ "\${BASH_SOURCE[0]}" = "$0" ]; then
  # Run as kubectl_complete-wasmpolicy: answer kubectl's request.
  __kwp_candidates "$@"
  exit 0
fi
_kubectl_wasmpolicy() {
  local start=1 line directive=0
  local -a cands=()
  [[ \${COMP_WORDS[0]} == kubectl ]] && start=2
  while IFS= read -r line; do
    case $line in
      :*) directive=\${line#:} ;;
      ?*) cands+=("$line") ;;
    esac
  done < <(__kwp_candidates "\${COMP_WORDS[@]:start:COMP_CWORD-start+1}")
  COMPREPLY=("\${cands[@]}")
  if [[ \${#cands[@]} -eq 0 && $directive -eq 0 ]]; then
    compopt -o default 2>/dev/null
  fi
}
complete -F _kubectl_wasmpolicy kubectl-wasmpolicy
`;
  }
  return `#compdef kubectl-wasmpolicy
# zsh completion for kubectl-wasmpolicy. Made by \`kubectl wasmpolicy completion zsh\`.
#   source <(kubectl wasmpolicy completion zsh)    (after compinit) completes kubectl-wasmpolicy ...
${core}
_kubectl_wasmpolicy() {
  local -a cands ws
  local line directive=0
  ws=("\${(@)words[2,CURRENT]}")
  for line in "\${(@f)$(__kwp_candidates "\${ws[@]}")}"; do
    case $line in
      :*) directive=\${line#:} ;;
      ?*) cands+=("$line") ;;
    esac
  done
  if (( \${#cands} )); then
    compadd -a cands
  elif (( directive == 0 )); then
    _files
  fi
}
compdef _kubectl_wasmpolicy kubectl-wasmpolicy
`;
}
