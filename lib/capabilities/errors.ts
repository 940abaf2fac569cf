// The error a capability throws to hand the guest a host error; the wasm layer defines it (its hosts deliver it).
export { HostCallError } from '../wasm/host-call-error';
