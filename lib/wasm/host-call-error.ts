/** A host error returned to the guest through `__host_error` / the WASI error path (docs/host-interface.md §2: errors are not in-band). */
export class HostCallError extends Error {
  override name = 'HostCallError';
}
