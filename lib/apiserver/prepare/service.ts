/**
 * Service BeginCreate and PrepareForCreate (kubernetes pkg/registry/core/service/storage/{storage.go,
 * alloc.go}, pkg/registry/core/service/strategy.go) for a single-stack IPv4 cluster with the kubeadm
 * defaults: service CIDR 10.96.0.0/12 and node ports 30000-32767. The allocated values are deterministic
 * per object (drawn from the context's seeded random source), not the ones a real cluster would pick.
 */
import type { JsonObject, ObjectContext } from '../context';
import { children, ensureChild, isEmpty, isUnset, str } from '../defaults/json';

const HEX = '0123456789abcdef';
const NODE_PORT_BASE = 30000;
const NODE_PORT_COUNT = 2768;

function randomInt(ctx: ObjectContext, label: string, modulo: number): number {
  return Number.parseInt(ctx.random.chars(label, 8, HEX), 16) % modulo;
}

/** An address of 10.96.0.0/12 other than the network address and 10.96.0.1 (the kubernetes Service). */
export function allocateClusterIP(ctx: ObjectContext): string {
  const offset = 2 + randomInt(ctx, 'service.clusterIP', (1 << 20) - 3);
  return `10.${96 + (offset >> 16)}.${(offset >> 8) & 255}.${offset & 255}`;
}

export function prepareService(obj: JsonObject, ctx: ObjectContext): void {
  beginCreateService(obj, ctx);
  obj.status = { loadBalancer: {} };
}

export function beginCreateService(obj: JsonObject, ctx: ObjectContext): void {
  const spec = ensureChild(obj, 'spec');
  if (spec.type === 'ExternalName') return;
  // normalizeClusterIPs
  if (!isUnset(spec.clusterIP) && isEmpty(spec.clusterIPs)) spec.clusterIPs = [str(spec.clusterIP)];
  const headless = spec.clusterIP === 'None';
  if (headless && isEmpty(spec.selector)) {
    if (isUnset(spec.ipFamilyPolicy)) spec.ipFamilyPolicy = 'RequireDualStack';
    if (isEmpty(spec.ipFamilies)) spec.ipFamilies = ['IPv4'];
    const families = (Array.isArray(spec.ipFamilies) ? spec.ipFamilies : []).map(String);
    if (families.length < 2 && spec.ipFamilyPolicy !== 'SingleStack')
      spec.ipFamilies = [...families, families[0] === 'IPv4' ? 'IPv6' : 'IPv4'];
  } else {
    if (isUnset(spec.ipFamilyPolicy)) spec.ipFamilyPolicy = 'SingleStack';
    // A single-stack cluster serves its primary family only (PreferDualStack gets one family too).
    if (isEmpty(spec.ipFamilies)) spec.ipFamilies = ['IPv4'];
  }
  if (!headless && isUnset(spec.clusterIP)) {
    const ip = allocateClusterIP(ctx);
    spec.clusterIP = ip;
    spec.clusterIPs = [ip];
  }
  allocateNodePorts(spec, ctx);
}

function allocateNodePorts(spec: JsonObject, ctx: ObjectContext): void {
  const wantsNodePorts =
    spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
  const used = new Set<number>();
  const ports = children(spec, 'ports');
  for (const port of ports) if (typeof port.nodePort === 'number' && port.nodePort !== 0) used.add(port.nodePort);
  const next = (label: string): number => {
    let candidate = NODE_PORT_BASE + randomInt(ctx, label, NODE_PORT_COUNT);
    while (used.has(candidate)) candidate = NODE_PORT_BASE + ((candidate - NODE_PORT_BASE + 1) % NODE_PORT_COUNT);
    used.add(candidate);
    return candidate;
  };
  if (wantsNodePorts) {
    ports.forEach((port, i) => {
      if (port.nodePort === undefined || port.nodePort === 0 || port.nodePort === null)
        port.nodePort = next(`service.nodePort.${i}`);
    });
  }
  if (spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local' && isUnset(spec.healthCheckNodePort)) {
    spec.healthCheckNodePort = next('service.healthCheckNodePort');
  }
}
