import type { Logger } from '../base/log';
import type { HostCallHandler } from './wapc/host';
import { WapcRuntime } from './wapc/runtime';
import { WasiRuntime } from './wasi/runtime';
import type { StderrTail } from './wasi/stderr-tail';
import { RegoRuntime } from './opa/runtime';
import type { PolicyRuntime } from './runtime';
import type { WorkerPolicy } from './pool/messages';

export interface RuntimeDeps {
  hostCall: HostCallHandler;
  log: Logger;
  /** WASI: where the run's stderr is mirrored for the main thread (lib/wasm/wasi/stderr-tail.ts). */
  stderrTail?: StderrTail;
}

/** One runtime per execution mode behind one interface (policy-evaluator's design). */
export function createRuntime(p: WorkerPolicy, deps: RuntimeDeps): PolicyRuntime {
  const tag = (m: string) => `[${p.id}] ${m}`;
  switch (p.mode) {
    case 'kubewarden-wapc': {
      const rt = new WapcRuntime(
        p.module,
        {
          hostCall: deps.hostCall,
          log: (m) => deps.log.debug(tag(m)),
          maxOutputBytes: p.limits.maxOutputBytes,
          memoryLimitBytes: p.limits.memoryLimitBytes,
        },
        p.snapshotGlobals,
      );
      rt.probe();
      return rt;
    }
    case 'wasi':
      return new WasiRuntime(p.module, {
        hostCall: deps.hostCall,
        log: (m) => deps.log.warn(tag(m)),
        maxOutputBytes: p.limits.maxOutputBytes,
        ...(deps.stderrTail ? { stderrTail: deps.stderrTail } : {}),
      });
    case 'opa':
    case 'gatekeeper':
      // Loading calls the module (builtins(), entrypoints()): it happens in the worker, under the deadline.
      return new RegoRuntime(p.module, {
        mode: p.mode,
        log: {
          warn: (m) => deps.log.warn(m),
          debug: (m) => deps.log.debug(m),
          info: (m) => deps.log.info(tag(m)),
          error: (m) => deps.log.error(tag(m)),
        },
        memoryLimitBytes: p.limits.memoryLimitBytes,
        policyType: p.policyType,
        ...(p.contextAwareResources?.length
          ? { context: { resources: p.contextAwareResources, hostCall: deps.hostCall } }
          : {}),
      });
  }
}
