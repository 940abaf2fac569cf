import * as path from 'node:path';
import { findBuildOutput } from '../base/build-output';

/** Set in the CLI bundle only: the name of the separately bundled cluster client beside it (and SEA asset key). */
declare const __CLUSTER_BUNDLE__: string | undefined;

type ClusterModule = typeof import('./index');

/** The part of `node:sea` used here. */
interface SeaModule {
  isSea(): boolean;
  getAsset(key: string, encoding: string): string;
}

/**
 * lib/cluster, loaded when a command first talks to a cluster, so that no other command parses it (with the
 * first, whole-KubeConfig client inside the CLI bundle that cost every command ~65 ms, `--help` included; see
 * docs/decisions.md). The build writes it to dist/cluster.cjs, and the single executable holds it as an asset.
 * The sources import it.
 */
export async function importClusterModule(): Promise<ClusterModule> {
  if (typeof __CLUSTER_BUNDLE__ === 'undefined') {
    // A computed specifier, so that esbuild leaves this branch out of the CLI bundle.
    const specifier = './index';
    return (await import(specifier)) as ClusterModule;
  }
  // node:module and node:vm are loaded here, not by every command that might talk to a cluster.
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  const sea = seaModule(require);
  if (sea)
    return evaluate(await import('node:vm'), sea.getAsset(__CLUSTER_BUNDLE__, 'utf8'), require, process.execPath);
  const file = findBuildOutput(__CLUSTER_BUNDLE__, 3);
  if (!file) throw new Error(`cannot find ${__CLUSTER_BUNDLE__} beside the CLI: run npm run build`);
  return require(file) as ClusterModule;
}

function seaModule(require: NodeRequire): SeaModule | undefined {
  try {
    const m = require('node:sea') as SeaModule;
    return m.isSea() ? m : undefined;
  } catch {
    return undefined;
  }
}

/** Runs the CommonJS bundle held as an asset, with the CLI's `require` (it only needs Node's built-in modules). */
function evaluate(vm: typeof import('node:vm'), code: string, require: NodeRequire, filename: string): ClusterModule {
  const module = { exports: {} as ClusterModule };
  const fn = vm.compileFunction(code, ['exports', 'require', 'module', '__filename', '__dirname'], {
    filename: 'kubectl-wasmpolicy-cluster.cjs',
  });
  fn(module.exports, require, module, filename, path.dirname(filename));
  return module.exports;
}
