import type { Ora } from 'ora';

/**
 * A progress spinner on stderr for runs longer than a moment: it appears only after `delayMs`, shows how many
 * objects are evaluated of how many, and clears its line when stopped, so stdout (the results) never sees it.
 */

export interface ProgressContext {
  /** Whether stderr is a terminal. */
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  quiet?: boolean;
}

/** Shown only on a terminal stderr, never in CI (`CI` set and not `false`), with `--quiet`, or on a dumb terminal. */
export function shouldShowProgress(ctx: ProgressContext): boolean {
  if (ctx.quiet) return false;
  if (!ctx.isTTY) return false;
  const ci = ctx.env.CI;
  if (ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false') return false;
  if (ctx.env.TERM === 'dumb') return false;
  return true;
}

export interface Progress {
  /** Sets the text: a phase (`reading manifests`) or counts. */
  phase(text: string): void;
  /** Objects evaluated of total. */
  update(done: number, total: number): void;
  /** Clears the spinner's line; call before writing results. Safe to call twice. */
  stop(): void;
}

export interface ProgressOptions {
  enabled: boolean;
  stream?: NodeJS.WriteStream;
  /** How long a run goes before the spinner appears. */
  delayMs?: number;
}

const SILENT: Progress = { phase() {}, update() {}, stop() {} };

export function progressText(done: number, total: number): string {
  return `evaluating: ${done}/${total} object${total === 1 ? '' : 's'}`;
}

export function createProgress(opts: ProgressOptions): Progress {
  if (!opts.enabled) return SILENT;
  const stream = opts.stream ?? process.stderr;
  let text = 'loading policies and manifests';
  let spinner: Ora | undefined;
  let stopped = false;
  // ora (with its dependencies) is loaded only when a spinner may show (a terminal), and not on the way to it.
  const loading = import('ora');
  const timer = setTimeout(() => {
    if (stopped) return;
    void loading.then(({ default: ora }) => {
      if (stopped) return;
      // stdin may carry the manifests (-f -): ora must not touch it.
      spinner = ora({ text, stream, discardStdin: false, isEnabled: true }).start();
    });
  }, opts.delayMs ?? 300);
  timer.unref();
  const set = (t: string): void => {
    text = t;
    if (spinner) spinner.text = t;
  };
  return {
    phase: set,
    update: (done, total) => set(progressText(done, total)),
    stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      spinner?.stop();
    },
  };
}
