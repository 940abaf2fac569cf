import { accessSync, constants as fsConstants } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_LIMITS, type InputLimits } from './limits';
import { entriesFromText } from './objects';
import type { ManifestEntry } from './types';

/**
 * Rendered inputs: `-k DIR` (kubectl kustomize) and `--helm CHART` (helm template). The rendered stream is read
 * like any other input; its results name the renderer and its argument as the file (`kustomize:DIR`,
 * `helm:CHART`) and, where the renderer records it, the file each object came from (`source.origin`).
 */
export type RenderSpec =
  | { kind: 'kustomize'; dir: string }
  | { kind: 'helm'; chart: string; values?: string[]; set?: string[]; releaseName?: string; namespace?: string };

/** A renderer that is not installed: a usage problem (exit 2), not a per-input error. */
export class MissingToolError extends Error {
  override name = 'MissingToolError';
}

/** The annotation kustomize adds with `buildMetadata: [originAnnotations]`. */
export const ORIGIN_ANNOTATION = 'config.kubernetes.io/origin';

export function renderSourceName(spec: RenderSpec): string {
  return spec.kind === 'kustomize' ? `kustomize:${spec.dir}` : `helm:${spec.chart}`;
}

/** The program and arguments that render `spec`. kubectl is `$KUBECTL` if set (kubectl runs its plugins), else from PATH. */
export function renderCommand(
  spec: RenderSpec,
  env: NodeJS.ProcessEnv = process.env,
): { tool: string; program: string; args: string[] } {
  if (spec.kind === 'kustomize') {
    return { tool: 'kubectl', program: env.KUBECTL || 'kubectl', args: ['kustomize', spec.dir] };
  }
  const args = ['template', spec.releaseName ?? 'release', spec.chart];
  if (spec.namespace) args.push('--namespace', spec.namespace);
  for (const v of spec.values ?? []) args.push('--values', v);
  for (const s of spec.set ?? []) args.push('--set', s);
  return { tool: 'helm', program: env.HELM || 'helm', args };
}

/** The path of an executable: `program` itself when it has a slash, else the first match on PATH. */
export function findExecutable(program: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const executable = (p: string): boolean => {
    try {
      accessSync(p, process.platform === 'win32' ? fsConstants.F_OK : fsConstants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (program.includes('/') || program.includes(path.sep)) return executable(program) ? program : undefined;
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = path.join(dir, program + ext);
      if (executable(candidate)) return candidate;
    }
  }
  return undefined;
}

/** Throws MissingToolError naming the tool when a renderer the specs need is not installed. */
export function checkRenderTools(specs: readonly RenderSpec[], env: NodeJS.ProcessEnv = process.env): void {
  for (const spec of specs) {
    const { tool, program } = renderCommand(spec, env);
    if (findExecutable(program, env)) continue;
    const flag = spec.kind === 'kustomize' ? '-k' : '--helm';
    const where = program === tool ? 'on PATH' : `at ${program}`;
    throw new MissingToolError(
      spec.kind === 'kustomize'
        ? `${flag} needs kubectl (kubectl kustomize), and there is no ${program} ${where}; install kubectl or set KUBECTL`
        : `${flag} needs helm (helm template), and there is no ${program} ${where}; install helm (https://helm.sh/docs/intro/install/) or render the chart yourself and pass the output with -f -`,
    );
  }
}

export interface RenderOptions {
  limits?: InputLimits;
  env?: NodeJS.ProcessEnv;
  /** Called with the rendered text of each source (reporters use it to locate fields). */
  onText?: (name: string, text: string) => void;
}

/**
 * Renders each spec and returns its entries in order. A renderer that fails gives one error entry with its
 * stderr, and the others go on. Call checkRenderTools first for a clean error when a tool is missing.
 */
export async function renderManifests(
  specs: readonly RenderSpec[],
  opts: RenderOptions = {},
): Promise<ManifestEntry[]> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const out: ManifestEntry[] = [];
  for (const spec of specs) {
    const name = renderSourceName(spec);
    const { program, args } = renderCommand(spec, opts.env);
    let text: string;
    try {
      text = await run(program, args, limits.maxInputBytes, opts.env);
    } catch (err) {
      out.push({ kind: 'error', source: { file: name, line: 0, docIndex: 0 }, message: (err as Error).message });
      continue;
    }
    opts.onText?.(name, text);
    const entries = entriesFromText(name, text, limits);
    if (spec.kind === 'kustomize') addKustomizeOrigins(entries);
    else addHelmOrigins(entries, text);
    out.push(...entries);
  }
  return out;
}

/** Sets `source.origin` from kustomize's `config.kubernetes.io/origin` annotation (`path:` relative to DIR). */
export function addKustomizeOrigins(entries: ManifestEntry[]): void {
  for (const e of entries) {
    if (e.kind !== 'object') continue;
    const origin = originPath(e.object.metadata?.annotations?.[ORIGIN_ANNOTATION]);
    if (origin) e.source.origin = origin;
  }
}

/** The `path:` of an origin annotation value (a small YAML mapping: path, and repo/ref for remote bases). */
export function originPath(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  let parsed: unknown;
  try {
    parsed = parseYaml(value);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const { path: p, repo } = parsed as { path?: unknown; repo?: unknown };
  if (typeof p !== 'string' || p === '') return undefined;
  return typeof repo === 'string' && repo !== '' ? `${repo}//${p}` : p;
}

/** Sets `source.origin` from the `# Source: chart/templates/x.yaml` comment helm writes at the top of each document. */
export function addHelmOrigins(entries: ManifestEntry[], text: string): void {
  const lines = text.split('\n');
  for (const e of entries) {
    if (e.kind === 'error' || e.source.line < 1) continue;
    for (let i = e.source.line - 1; i >= 0; i--) {
      const line = lines[i];
      if (i < e.source.line - 1 && /^---/.test(line)) break;
      const m = /^#\s*Source:\s*(\S.*?)\s*$/.exec(line);
      if (m) {
        e.source.origin = m[1];
        break;
      }
    }
  }
}

async function run(program: string, args: string[], maxBytes: number, env?: NodeJS.ProcessEnv): Promise<string> {
  // Loaded on first use: most runs render nothing.
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let tooBig = false;
    child.stdout.on('data', (d: Buffer) => {
      size += d.length;
      if (size > maxBytes) {
        if (!tooBig) child.kill();
        tooBig = true;
        return;
      }
      chunks.push(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += d.toString('utf8');
    });
    child.on('error', (err) => reject(new Error(`${path.basename(program)} ${args.join(' ')}: ${err.message}`)));
    child.on('close', (code, signal) => {
      const cmd = `${path.basename(program)} ${args.join(' ')}`;
      if (tooBig) return reject(new Error(`${cmd}: output is larger than ${maxBytes} bytes (--max-input-size)`));
      if (code !== 0) {
        // kubectl logs through klog: drop its `E1127 14:20:59.281261   16036 run.go:72] ` prefixes.
        const why =
          stderr.replace(/^[EWIF]\d{4} [\d:.]+\s+\d+ [\w.-]+:\d+\] /gm, '').trim() ||
          (signal ? `killed by ${signal}` : `exit code ${code}`);
        return reject(new Error(`${cmd} failed: ${why}`));
      }
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}
