/**
 * Built-in mutating admission plugins that need no cluster state, in the API server's order
 * (kubernetes pkg/kubeapiserver/options/plugins.go AllOrderedPlugins): ServiceAccount, Priority,
 * DefaultTolerationSeconds, StorageObjectInUseProtection. Visible to mutating and validating policies.
 *
 * Not modelled, because they depend on objects in the cluster: LimitRanger (LimitRange defaults and the
 * limit-ranger annotation), DefaultStorageClass, DefaultIngressClass, RuntimeClass (overhead, node selector,
 * tolerations), Priority with non-system classes or a globalDefault class, the ServiceAccount's own
 * automount setting and imagePullSecrets, PodTopologyLabels (pods/binding only).
 */
import type { JsonObject, PluginContext } from '../context';
import { admitDefaultTolerationSeconds } from './default-toleration-seconds';
import { admitPriority } from './priority';
import { admitServiceAccount } from './service-account';
import { admitStorageObjectInUseProtection } from './storage-protection';

export type AdmissionPlugin = (obj: JsonObject, ctx: PluginContext) => void;

interface PluginEntry {
  name: string;
  /** Which objects the plugin looks at: `group/Kind`. */
  applies: (ctx: PluginContext) => boolean;
  admit: AdmissionPlugin;
}

const isPod = (ctx: PluginContext): boolean => ctx.group === '' && ctx.kind === 'Pod';

/** In AllOrderedPlugins order. */
export const BUILTIN_MUTATING_PLUGINS: readonly PluginEntry[] = [
  { name: 'ServiceAccount', applies: isPod, admit: admitServiceAccount },
  { name: 'Priority', applies: isPod, admit: admitPriority },
  { name: 'DefaultTolerationSeconds', applies: isPod, admit: admitDefaultTolerationSeconds },
  { name: 'StorageObjectInUseProtection', applies: () => true, admit: admitStorageObjectInUseProtection },
];

export function runBuiltinMutatingPlugins(obj: JsonObject, ctx: PluginContext): void {
  for (const plugin of BUILTIN_MUTATING_PLUGINS) if (plugin.applies(ctx)) plugin.admit(obj, ctx);
}
