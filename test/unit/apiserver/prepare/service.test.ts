import assert from 'node:assert/strict';
import type { JsonObject } from '../../../../lib/apiserver/context';
import { applyDefaults } from '../../../../lib/apiserver/defaults/index';
import { prepareForCreate } from '../../../../lib/apiserver/prepare/index';
import { contextFor } from '../defaults/harness';

// pkg/registry/core/service/storage/storage.go beginCreate, alloc.go initIPFamilyFields / allocateServiceNodePorts;
// pkg/registry/core/service/strategy.go PrepareForCreate. Single-stack IPv4 cluster, CIDR 10.96.0.0/12.
function created(spec: JsonObject, seed = 'seed'): JsonObject {
  const obj: JsonObject = { kind: 'Service', apiVersion: 'v1', metadata: { name: 's', namespace: 'default' }, spec };
  const ctx = contextFor('v1/Service', '1.35', {}, seed);
  applyDefaults(obj, ctx);
  prepareForCreate(obj, ctx);
  return obj;
}

function spec(obj: JsonObject): JsonObject {
  return obj.spec as JsonObject;
}

function inServiceCIDR(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number);
  return a === 10 && b >= 96 && b < 112 && ip !== '10.96.0.0' && ip !== '10.96.0.1';
}

describe('apiserver prepare: Service BeginCreate [pkg/registry/core/service/storage/storage.go beginCreate]', () => {
  it('ClusterIP: single-stack IPv4, a cluster IP from 10.96.0.0/12, status.loadBalancer {}', () => {
    const s = created({ selector: { app: 'a' }, ports: [{ port: 80 }] });
    assert.equal(spec(s).ipFamilyPolicy, 'SingleStack');
    assert.deepEqual(spec(s).ipFamilies, ['IPv4']);
    assert.ok(inServiceCIDR(String(spec(s).clusterIP)), String(spec(s).clusterIP));
    assert.deepEqual(spec(s).clusterIPs, [spec(s).clusterIP]);
    assert.deepEqual(s.status, { loadBalancer: {} });
    assert.equal((spec(s).ports as JsonObject[])[0].nodePort, undefined);
  });
  it('deterministic per object, different across objects', () => {
    assert.deepEqual(created({ ports: [{ port: 80 }] }, 'a'), created({ ports: [{ port: 80 }] }, 'a'));
    assert.notEqual(
      spec(created({ ports: [{ port: 80 }] }, 'a')).clusterIP,
      spec(created({ ports: [{ port: 80 }] }, 'b')).clusterIP,
    );
  });
  it('an explicit clusterIP is kept and copied to clusterIPs', () => {
    const s = created({ clusterIP: '10.96.5.5', ports: [{ port: 80 }] });
    assert.equal(spec(s).clusterIP, '10.96.5.5');
    assert.deepEqual(spec(s).clusterIPs, ['10.96.5.5']);
  });
  it('headless with selector: SingleStack, no IP allocated', () => {
    const s = created({ clusterIP: 'None', selector: { app: 'a' } });
    assert.deepEqual(spec(s).clusterIPs, ['None']);
    assert.equal(spec(s).ipFamilyPolicy, 'SingleStack');
    assert.deepEqual(spec(s).ipFamilies, ['IPv4']);
  });
  it('headless without selector: RequireDualStack and both families', () => {
    const s = created({ clusterIP: 'None' });
    assert.equal(spec(s).ipFamilyPolicy, 'RequireDualStack');
    assert.deepEqual(spec(s).ipFamilies, ['IPv4', 'IPv6']);
  });
  it('NodePort: distinct node ports in 30000-32767, explicit ones kept', () => {
    const s = created({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }, { port: 81 }, { port: 82 }] });
    const ports = (spec(s).ports as JsonObject[]).map((p) => Number(p.nodePort));
    assert.equal(ports[0], 30080);
    for (const p of ports) assert.ok(p >= 30000 && p <= 32767, String(p));
    assert.equal(new Set(ports).size, 3);
  });
  it('LoadBalancer with externalTrafficPolicy Local gets a healthCheckNodePort', () => {
    const s = created({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 443 }] });
    const hc = Number(spec(s).healthCheckNodePort);
    assert.ok(hc >= 30000 && hc <= 32767);
    assert.notEqual(hc, (spec(s).ports as JsonObject[])[0].nodePort);
  });
  it('LoadBalancer with allocateLoadBalancerNodePorts false gets no node ports', () => {
    const s = created({ type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ports: [{ port: 443 }] });
    assert.equal((spec(s).ports as JsonObject[])[0].nodePort, undefined);
  });
  it('ExternalName gets none of the IP fields', () => {
    const s = created({ type: 'ExternalName', externalName: 'example.com' });
    for (const f of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy']) assert.equal(spec(s)[f], undefined, f);
  });
});
