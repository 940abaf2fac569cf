import assert from 'node:assert/strict';
import { BUILTIN_RESOURCES, guessPlural, lookupBuiltin } from '../../../lib/kube/resource-table';
import type { ResourceType } from '../../../lib/kube/resource-type';

/** Assert (apiVersion, kind) is built-in with this resource and scope. */
function expectBuiltin(apiVersion: string, kind: string, resource: string, namespaced: boolean): ResourceType {
  const info = lookupBuiltin(apiVersion, kind);
  assert.ok(info, `${apiVersion} ${kind} should be built-in`);
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  assert.deepEqual({ ...info }, { group, version, kind, resource, namespaced });
  return info;
}

describe('builtin-resources', () => {
  describe('core group', () => {
    it('namespaced core kinds', () => {
      expectBuiltin('v1', 'Pod', 'pods', true);
      expectBuiltin('v1', 'Service', 'services', true);
      expectBuiltin('v1', 'ConfigMap', 'configmaps', true);
      expectBuiltin('v1', 'Secret', 'secrets', true);
      expectBuiltin('v1', 'ServiceAccount', 'serviceaccounts', true);
      expectBuiltin('v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true);
      expectBuiltin('v1', 'ReplicationController', 'replicationcontrollers', true);
      expectBuiltin('v1', 'LimitRange', 'limitranges', true);
      expectBuiltin('v1', 'ResourceQuota', 'resourcequotas', true);
      expectBuiltin('v1', 'PodTemplate', 'podtemplates', true);
      expectBuiltin('v1', 'Event', 'events', true);
    });
    it('Endpoints keeps its name as the resource', () => {
      expectBuiltin('v1', 'Endpoints', 'endpoints', true);
    });
    it('Binding is namespaced, ComponentStatus cluster-scoped', () => {
      expectBuiltin('v1', 'Binding', 'bindings', true);
      expectBuiltin('v1', 'ComponentStatus', 'componentstatuses', false);
    });
    it('cluster-scoped core kinds', () => {
      expectBuiltin('v1', 'Namespace', 'namespaces', false);
      expectBuiltin('v1', 'Node', 'nodes', false);
      expectBuiltin('v1', 'PersistentVolume', 'persistentvolumes', false);
    });
    it('core kinds are not reachable through a group prefix', () => {
      assert.equal(lookupBuiltin('core/v1', 'Pod'), undefined);
      assert.equal(lookupBuiltin('/v1', 'Pod'), undefined);
      assert.equal(lookupBuiltin('v1beta1', 'Pod'), undefined);
    });
  });

  describe('apps, extensions, batch, autoscaling, policy', () => {
    it('apps in v1 and the old betas', () => {
      expectBuiltin('apps/v1', 'Deployment', 'deployments', true);
      expectBuiltin('apps/v1', 'StatefulSet', 'statefulsets', true);
      expectBuiltin('apps/v1', 'DaemonSet', 'daemonsets', true);
      expectBuiltin('apps/v1', 'ReplicaSet', 'replicasets', true);
      expectBuiltin('apps/v1', 'ControllerRevision', 'controllerrevisions', true);
      expectBuiltin('apps/v1beta1', 'Deployment', 'deployments', true);
      expectBuiltin('apps/v1beta1', 'StatefulSet', 'statefulsets', true);
      expectBuiltin('apps/v1beta2', 'DaemonSet', 'daemonsets', true);
      expectBuiltin('apps/v1beta2', 'ReplicaSet', 'replicasets', true);
      // apps/v1beta1 never had DaemonSet or ReplicaSet.
      assert.equal(lookupBuiltin('apps/v1beta1', 'DaemonSet'), undefined);
      assert.equal(lookupBuiltin('apps/v1beta1', 'ReplicaSet'), undefined);
    });
    it('extensions/v1beta1', () => {
      expectBuiltin('extensions/v1beta1', 'Deployment', 'deployments', true);
      expectBuiltin('extensions/v1beta1', 'DaemonSet', 'daemonsets', true);
      expectBuiltin('extensions/v1beta1', 'ReplicaSet', 'replicasets', true);
      expectBuiltin('extensions/v1beta1', 'Ingress', 'ingresses', true);
      expectBuiltin('extensions/v1beta1', 'NetworkPolicy', 'networkpolicies', true);
      expectBuiltin('extensions/v1beta1', 'PodSecurityPolicy', 'podsecuritypolicies', false);
      assert.equal(lookupBuiltin('extensions/v1', 'Deployment'), undefined);
    });
    it('batch: Job and CronJob', () => {
      expectBuiltin('batch/v1', 'Job', 'jobs', true);
      expectBuiltin('batch/v1', 'CronJob', 'cronjobs', true);
      expectBuiltin('batch/v1beta1', 'CronJob', 'cronjobs', true);
      expectBuiltin('batch/v2alpha1', 'CronJob', 'cronjobs', true);
      assert.equal(lookupBuiltin('batch/v1beta1', 'Job'), undefined);
    });
    it('autoscaling: HorizontalPodAutoscaler in every version', () => {
      for (const v of ['v1', 'v2', 'v2beta1', 'v2beta2']) {
        expectBuiltin(`autoscaling/${v}`, 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true);
      }
    });
    it('policy: PodDisruptionBudget and PodSecurityPolicy', () => {
      expectBuiltin('policy/v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true);
      expectBuiltin('policy/v1beta1', 'PodDisruptionBudget', 'poddisruptionbudgets', true);
      expectBuiltin('policy/v1beta1', 'PodSecurityPolicy', 'podsecuritypolicies', false);
      assert.equal(lookupBuiltin('policy/v1', 'PodSecurityPolicy'), undefined);
      // Eviction is only a subresource body (pods/eviction), not a resource.
      assert.equal(lookupBuiltin('policy/v1', 'Eviction'), undefined);
    });
  });

  describe('networking, discovery, node, scheduling', () => {
    it('networking.k8s.io', () => {
      expectBuiltin('networking.k8s.io/v1', 'Ingress', 'ingresses', true);
      expectBuiltin('networking.k8s.io/v1beta1', 'Ingress', 'ingresses', true);
      expectBuiltin('networking.k8s.io/v1', 'IngressClass', 'ingressclasses', false);
      expectBuiltin('networking.k8s.io/v1beta1', 'IngressClass', 'ingressclasses', false);
      expectBuiltin('networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies', true);
      expectBuiltin('networking.k8s.io/v1', 'IPAddress', 'ipaddresses', false);
      expectBuiltin('networking.k8s.io/v1beta1', 'ServiceCIDR', 'servicecidrs', false);
      expectBuiltin('networking.k8s.io/v1alpha1', 'ClusterCIDR', 'clustercidrs', false);
      assert.equal(lookupBuiltin('networking.k8s.io/v1beta1', 'NetworkPolicy'), undefined);
    });
    it('discovery.k8s.io EndpointSlice', () => {
      expectBuiltin('discovery.k8s.io/v1', 'EndpointSlice', 'endpointslices', true);
      expectBuiltin('discovery.k8s.io/v1beta1', 'EndpointSlice', 'endpointslices', true);
    });
    it('node.k8s.io RuntimeClass', () => {
      expectBuiltin('node.k8s.io/v1', 'RuntimeClass', 'runtimeclasses', false);
      expectBuiltin('node.k8s.io/v1beta1', 'RuntimeClass', 'runtimeclasses', false);
    });
    it('scheduling.k8s.io', () => {
      expectBuiltin('scheduling.k8s.io/v1', 'PriorityClass', 'priorityclasses', false);
      expectBuiltin('scheduling.k8s.io/v1beta1', 'PriorityClass', 'priorityclasses', false);
      expectBuiltin('scheduling.k8s.io/v1alpha1', 'Workload', 'workloads', true);
      expectBuiltin('scheduling.k8s.io/v1alpha2', 'PodGroup', 'podgroups', true);
    });
  });

  describe('rbac, storage, coordination, events', () => {
    it('rbac.authorization.k8s.io', () => {
      for (const v of ['v1', 'v1beta1', 'v1alpha1']) {
        const av = `rbac.authorization.k8s.io/${v}`;
        expectBuiltin(av, 'Role', 'roles', true);
        expectBuiltin(av, 'RoleBinding', 'rolebindings', true);
        expectBuiltin(av, 'ClusterRole', 'clusterroles', false);
        expectBuiltin(av, 'ClusterRoleBinding', 'clusterrolebindings', false);
      }
    });
    it('storage.k8s.io', () => {
      expectBuiltin('storage.k8s.io/v1', 'StorageClass', 'storageclasses', false);
      expectBuiltin('storage.k8s.io/v1beta1', 'StorageClass', 'storageclasses', false);
      expectBuiltin('storage.k8s.io/v1', 'CSIDriver', 'csidrivers', false);
      expectBuiltin('storage.k8s.io/v1', 'CSINode', 'csinodes', false);
      expectBuiltin('storage.k8s.io/v1', 'CSIStorageCapacity', 'csistoragecapacities', true);
      expectBuiltin('storage.k8s.io/v1', 'VolumeAttachment', 'volumeattachments', false);
      expectBuiltin('storage.k8s.io/v1', 'VolumeAttributesClass', 'volumeattributesclasses', false);
      expectBuiltin('storage.k8s.io/v1beta1', 'VolumeAttributesClass', 'volumeattributesclasses', false);
    });
    it('coordination.k8s.io', () => {
      expectBuiltin('coordination.k8s.io/v1', 'Lease', 'leases', true);
      expectBuiltin('coordination.k8s.io/v1beta1', 'Lease', 'leases', true);
      expectBuiltin('coordination.k8s.io/v1alpha2', 'LeaseCandidate', 'leasecandidates', true);
      expectBuiltin('coordination.k8s.io/v1beta1', 'LeaseCandidate', 'leasecandidates', true);
    });
    it('events.k8s.io', () => {
      expectBuiltin('events.k8s.io/v1', 'Event', 'events', true);
      expectBuiltin('events.k8s.io/v1beta1', 'Event', 'events', true);
    });
  });

  describe('admission, extension and control-plane groups', () => {
    it('admissionregistration.k8s.io', () => {
      expectBuiltin(
        'admissionregistration.k8s.io/v1',
        'ValidatingWebhookConfiguration',
        'validatingwebhookconfigurations',
        false,
      );
      expectBuiltin(
        'admissionregistration.k8s.io/v1beta1',
        'MutatingWebhookConfiguration',
        'mutatingwebhookconfigurations',
        false,
      );
      expectBuiltin(
        'admissionregistration.k8s.io/v1',
        'ValidatingAdmissionPolicy',
        'validatingadmissionpolicies',
        false,
      );
      expectBuiltin(
        'admissionregistration.k8s.io/v1',
        'ValidatingAdmissionPolicyBinding',
        'validatingadmissionpolicybindings',
        false,
      );
      expectBuiltin(
        'admissionregistration.k8s.io/v1alpha1',
        'ValidatingAdmissionPolicy',
        'validatingadmissionpolicies',
        false,
      );
      expectBuiltin(
        'admissionregistration.k8s.io/v1beta1',
        'MutatingAdmissionPolicy',
        'mutatingadmissionpolicies',
        false,
      );
      expectBuiltin(
        'admissionregistration.k8s.io/v1alpha1',
        'MutatingAdmissionPolicyBinding',
        'mutatingadmissionpolicybindings',
        false,
      );
    });
    it('apiextensions.k8s.io and apiregistration.k8s.io', () => {
      expectBuiltin('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'customresourcedefinitions', false);
      expectBuiltin('apiextensions.k8s.io/v1beta1', 'CustomResourceDefinition', 'customresourcedefinitions', false);
      expectBuiltin('apiregistration.k8s.io/v1', 'APIService', 'apiservices', false);
      expectBuiltin('apiregistration.k8s.io/v1beta1', 'APIService', 'apiservices', false);
    });
    it('certificates.k8s.io', () => {
      expectBuiltin('certificates.k8s.io/v1', 'CertificateSigningRequest', 'certificatesigningrequests', false);
      expectBuiltin('certificates.k8s.io/v1beta1', 'CertificateSigningRequest', 'certificatesigningrequests', false);
      expectBuiltin('certificates.k8s.io/v1beta1', 'ClusterTrustBundle', 'clustertrustbundles', false);
      expectBuiltin('certificates.k8s.io/v1alpha1', 'PodCertificateRequest', 'podcertificaterequests', true);
    });
    it('flowcontrol.apiserver.k8s.io', () => {
      for (const v of ['v1', 'v1beta3', 'v1beta2', 'v1beta1', 'v1alpha1']) {
        const av = `flowcontrol.apiserver.k8s.io/${v}`;
        expectBuiltin(av, 'FlowSchema', 'flowschemas', false);
        expectBuiltin(av, 'PriorityLevelConfiguration', 'prioritylevelconfigurations', false);
      }
    });
    it('authentication.k8s.io and authorization.k8s.io review kinds', () => {
      expectBuiltin('authentication.k8s.io/v1', 'TokenReview', 'tokenreviews', false);
      expectBuiltin('authentication.k8s.io/v1beta1', 'TokenReview', 'tokenreviews', false);
      expectBuiltin('authentication.k8s.io/v1', 'SelfSubjectReview', 'selfsubjectreviews', false);
      expectBuiltin('authentication.k8s.io/v1alpha1', 'SelfSubjectReview', 'selfsubjectreviews', false);
      expectBuiltin('authorization.k8s.io/v1', 'SubjectAccessReview', 'subjectaccessreviews', false);
      expectBuiltin('authorization.k8s.io/v1', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', false);
      expectBuiltin('authorization.k8s.io/v1', 'SelfSubjectRulesReview', 'selfsubjectrulesreviews', false);
      expectBuiltin('authorization.k8s.io/v1', 'LocalSubjectAccessReview', 'localsubjectaccessreviews', true);
      expectBuiltin('authorization.k8s.io/v1beta1', 'LocalSubjectAccessReview', 'localsubjectaccessreviews', true);
      // TokenRequest is only the body of serviceaccounts/token.
      assert.equal(lookupBuiltin('authentication.k8s.io/v1', 'TokenRequest'), undefined);
    });
    it('storagemigration.k8s.io and internal.apiserver.k8s.io', () => {
      expectBuiltin('storagemigration.k8s.io/v1alpha1', 'StorageVersionMigration', 'storageversionmigrations', false);
      expectBuiltin('storagemigration.k8s.io/v1beta1', 'StorageVersionMigration', 'storageversionmigrations', false);
      expectBuiltin('internal.apiserver.k8s.io/v1alpha1', 'StorageVersion', 'storageversions', false);
    });
  });

  describe('resource.k8s.io', () => {
    it('DRA kinds in v1 and the betas', () => {
      for (const v of ['v1', 'v1beta2', 'v1beta1', 'v1alpha3']) {
        const av = `resource.k8s.io/${v}`;
        expectBuiltin(av, 'ResourceClaim', 'resourceclaims', true);
        expectBuiltin(av, 'ResourceClaimTemplate', 'resourceclaimtemplates', true);
        expectBuiltin(av, 'DeviceClass', 'deviceclasses', false);
        expectBuiltin(av, 'ResourceSlice', 'resourceslices', false);
      }
      expectBuiltin('resource.k8s.io/v1alpha3', 'DeviceTaintRule', 'devicetaintrules', false);
    });
    it('classic DRA v1alpha2, whose *Parameters resources are not guessable', () => {
      expectBuiltin('resource.k8s.io/v1alpha2', 'ResourceClass', 'resourceclasses', false);
      expectBuiltin('resource.k8s.io/v1alpha2', 'PodSchedulingContext', 'podschedulingcontexts', true);
      expectBuiltin('resource.k8s.io/v1alpha2', 'ResourceClaimParameters', 'resourceclaimparameters', true);
      expectBuiltin('resource.k8s.io/v1alpha2', 'ResourceClassParameters', 'resourceclassparameters', true);
      assert.notEqual(guessPlural('ResourceClaimParameters'), 'resourceclaimparameters');
      assert.equal(lookupBuiltin('resource.k8s.io/v1alpha2', 'DeviceClass'), undefined);
    });
  });

  describe('unknown kinds', () => {
    it('returns undefined for custom resources and bad input', () => {
      assert.equal(lookupBuiltin('policies.kubewarden.io/v1', 'ClusterAdmissionPolicy'), undefined);
      assert.equal(lookupBuiltin('gateway.networking.k8s.io/v1', 'Gateway'), undefined);
      assert.equal(lookupBuiltin('cert-manager.io/v1', 'Certificate'), undefined);
      assert.equal(lookupBuiltin('apps/v1', 'Widget'), undefined);
      assert.equal(lookupBuiltin('apps/v2', 'Deployment'), undefined);
      assert.equal(lookupBuiltin('v1', 'pod'), undefined); // kinds are case-sensitive
      assert.equal(lookupBuiltin('', 'Pod'), undefined);
      assert.equal(lookupBuiltin('v1', ''), undefined);
      assert.equal(lookupBuiltin('apps/v1', 'Pod'), undefined);
      assert.equal(lookupBuiltin('v1', 'Deployment'), undefined);
    });
  });

  describe('BUILTIN_RESOURCES', () => {
    it('has unique (group, version, kind) entries consistent with lookupBuiltin', () => {
      const seen = new Set<string>();
      for (const r of BUILTIN_RESOURCES) {
        const apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
        const key = `${apiVersion} ${r.kind}`;
        assert.ok(!seen.has(key), `duplicate ${key}`);
        seen.add(key);
        assert.equal(lookupBuiltin(apiVersion, r.kind), r);
        assert.match(r.resource, /^[a-z0-9]+$/);
        assert.match(r.version, /^v\d+((alpha|beta)\d+)?$/);
      }
      assert.ok(BUILTIN_RESOURCES.length > 150, `only ${BUILTIN_RESOURCES.length} entries`);
    });
    it('gives each (group, kind) one resource and one scope across versions', () => {
      const byGroupKind = new Map<string, ResourceType>();
      for (const r of BUILTIN_RESOURCES) {
        const prev = byGroupKind.get(`${r.group} ${r.kind}`);
        if (prev) {
          assert.equal(r.resource, prev.resource, `${r.group} ${r.kind}`);
          assert.equal(r.namespaced, prev.namespaced, `${r.group} ${r.kind}`);
        } else {
          byGroupKind.set(`${r.group} ${r.kind}`, r);
        }
      }
    });
    it('covers every expected group', () => {
      const groups = new Set(BUILTIN_RESOURCES.map((r) => r.group));
      for (const g of [
        '',
        'apps',
        'batch',
        'autoscaling',
        'networking.k8s.io',
        'policy',
        'rbac.authorization.k8s.io',
        'storage.k8s.io',
        'coordination.k8s.io',
        'discovery.k8s.io',
        'admissionregistration.k8s.io',
        'apiextensions.k8s.io',
        'apiregistration.k8s.io',
        'certificates.k8s.io',
        'scheduling.k8s.io',
        'node.k8s.io',
        'flowcontrol.apiserver.k8s.io',
        'resource.k8s.io',
        'authentication.k8s.io',
        'authorization.k8s.io',
        'events.k8s.io',
        'storagemigration.k8s.io',
        'internal.apiserver.k8s.io',
        'extensions',
      ]) {
        assert.ok(groups.has(g), `group ${JSON.stringify(g)} missing`);
      }
    });
    it('entries are frozen', () => {
      const info = lookupBuiltin('v1', 'Pod')!;
      assert.ok(Object.isFrozen(info));
      assert.ok(Object.isFrozen(BUILTIN_RESOURCES));
    });
  });

  describe('guessPlural (apimachinery UnsafeGuessKindToResource)', () => {
    const cases: Array<[string, string]> = [
      ['Policy', 'policies'],
      ['Endpoints', 'endpoints'],
      ['Ingress', 'ingresses'],
      ['Gateway', 'gateways'],
      ['Proxy', 'proxies'],
      ['Mesh', 'meshes'],
      ['Box', 'boxes'],
      ['Status', 'statuses'],
      ['Pod', 'pods'],
      ['Deployment', 'deployments'],
      ['NetworkPolicy', 'networkpolicies'],
      ['Match', 'matches'],
      ['Quiz', 'quizes'], // no consonant doubling
      ['Key', 'keys'],
      ['Toy', 'toys'],
      ['Guy', 'guys'],
      ['Xiy', 'xiys'], // "iy" is in the vowel+y list
      ['Y', 'ies'],
      ['MyEndpoints', 'myendpoints'],
      ['EndpointSlice', 'endpointslices'],
      ['Endpoint', 'endpoints'],
      ['Series', 'serieses'],
      ['Class', 'classes'],
      ['IPAddress', 'ipaddresses'],
      ['ServiceCIDR', 'servicecidrs'],
      ['', ''],
    ];
    for (const [kind, plural] of cases) {
      it(`${JSON.stringify(kind)} → ${JSON.stringify(plural)}`, () => {
        assert.equal(guessPlural(kind), plural);
      });
    }
    it('lower-cases like Go (simple case mapping, one code point at a time)', () => {
      assert.equal(guessPlural('\u0130Box'), 'iboxes'); // Go maps U+0130 to plain "i"
      assert.equal(guessPlural('ΣΣ'), 'σσs'); // no final-sigma rule
    });
    it('agrees with the table for all but the documented exceptions', () => {
      const exceptions = new Set(['ResourceClaimParameters', 'ResourceClassParameters']);
      for (const r of BUILTIN_RESOURCES) {
        if (exceptions.has(r.kind)) continue;
        assert.equal(guessPlural(r.kind), r.resource, `${r.group} ${r.kind}`);
      }
    });
  });
});
