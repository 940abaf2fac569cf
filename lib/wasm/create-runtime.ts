import type { Logger } from '../log';
import type { HostCallHandler } from './wapc/host';
import { WapcRuntime } from './wapc/runtime';
import { WasiRuntime } from './wasi/runtime';
import type { PolicyRuntime } from './runtime';
import type { WorkerPolicy } from './pool/messages';

export interface RuntimeDeps {
  hostCall: HostCallHandler;
  log: Logger;
}

/** One runtime per execution mode behind one interface (policy-evaluator's design). */
export function createRuntime(p: WorkerPolicy, deps: RuntimeDeps): PolicyRuntime {
  const tag = (m: string) => `[${p.id}] ${m}`;
  switch (p.mode) {
    case 'kubewarden-wapc': {
      const rt = new WapcRuntime(p.module, {
        hostCall: deps.hostCall,
        log: (m) => deps.log.debug(tag(m)),
        maxOutputBytes: p.limits.maxOutputBytes,
        memoryLimitBytes: p.limits.memoryLimitBytes,
      }, p.snapshotGlobals);
      rt.probe();
      return rt;
    }
    case 'wasi':
      return new WasiRuntime(p.module, {
        hostCall: deps.hostCall,
        log: (m) => deps.log.warn(tag(m)),
        maxOutputBytes: p.limits.maxOutputBytes,
      });
    case 'opa':
    case 'gatekeeper':
      throw new Error(`execution mode ${p.mode} is not available yet`);
  }
}
