import { strict as assert } from 'node:assert';
import { ruleMatches, type RuleTarget } from '../../../lib/admission/match';
import { postProcess } from '../../../lib/admission/postprocess';
import { buildAdmissionRequest, DEFAULT_USER } from '../../../lib/admission/request';
import { ResourceResolver } from '../../../lib/kube/resource-resolver';
import { DELETE_MUTATION_MESSAGE, toAdmissionResponse } from '../../../lib/admission/response';
import { applyPatch, diff } from '../../../lib/kube/json-patch';
import type { KubeObject } from '../../../lib/manifests';

const create = { operation: 'CREATE' as const, userInfo: DEFAULT_USER };

describe('admission', () => {
  describe('resource resolution', () => {
    const resolver = new ResourceResolver();
    resolver.addCrds([
      {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'widgets.example.com' },
        spec: {
          group: 'example.com',
          scope: 'Cluster',
          names: { kind: 'Widget', plural: 'widgetries' },
          versions: [{ name: 'v1' }, { name: 'v2' }],
        },
      },
      {
        apiVersion: 'apiextensions.k8s.io/v1beta1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'olds.example.com' },
        spec: { group: 'example.com', version: 'v1alpha1', names: { kind: 'Old', plural: 'oldies' } },
      },
    ]);

    it('resolves built-in kinds to their plural and scope', () => {
      assert.deepEqual(resolver.resolve('networking.k8s.io/v1', 'Ingress'), {
        group: 'networking.k8s.io',
        version: 'v1',
        kind: 'Ingress',
        resource: 'ingresses',
        namespaced: true,
        origin: 'builtin',
      });
      assert.equal(resolver.resolve('v1', 'Namespace').namespaced, false);
      assert.equal(resolver.resolve('v1', 'Endpoints').resource, 'endpoints');
    });

    it('resolves custom resources through CRDs in the input, every served version', () => {
      assert.deepEqual(resolver.resolve('example.com/v2', 'Widget'), {
        group: 'example.com',
        version: 'v2',
        kind: 'Widget',
        resource: 'widgetries',
        namespaced: false,
        origin: 'crd',
      });
      const old = resolver.resolve('example.com/v1alpha1', 'Old');
      assert.equal(old.resource, 'oldies');
      assert.equal(old.namespaced, true);
    });

    it('guesses unknown kinds like Kubernetes does, marking them', () => {
      const g = resolver.resolve('example.com/v1', 'Proxy');
      assert.equal(g.resource, 'proxies');
      assert.equal(g.origin, 'guessed');
    });
  });

  describe('request synthesis', () => {
    const resolver = new ResourceResolver();
    const deploy: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: {} };

    it('builds the CREATE request the API server would send, namespace filled in', () => {
      const { request, json } = buildAdmissionRequest(deploy, resolver.resolve('apps/v1', 'Deployment'), create);
      assert.deepEqual(request.kind, { group: 'apps', version: 'v1', kind: 'Deployment' });
      assert.deepEqual(request.resource, { group: 'apps', version: 'v1', resource: 'deployments' });
      assert.deepEqual(request.requestKind, request.kind);
      assert.deepEqual(request.requestResource, request.resource);
      assert.equal(request.namespace, 'default');
      assert.equal(request.name, 'web');
      assert.equal(request.operation, 'CREATE');
      assert.deepEqual(request.userInfo, { username: 'test-user', groups: ['system:masters'] });
      assert.deepEqual(request.options, { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' });
      assert.equal(request.dryRun, false);
      assert.equal((request.object as KubeObject).metadata?.namespace, 'default');
      assert.equal(deploy.metadata?.namespace, undefined, 'the input object is not modified');
      assert.deepEqual(JSON.parse(json), JSON.parse(JSON.stringify(request)));
      assert.match(request.uid, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    });

    it('uses the object namespace, then -n, and none for cluster-scoped kinds', () => {
      const inNs = buildAdmissionRequest(
        { ...deploy, metadata: { name: 'web', namespace: 'shop' } },
        resolver.resolve('apps/v1', 'Deployment'),
        { ...create, defaultNamespace: 'other' },
      );
      assert.equal(inNs.request.namespace, 'shop');
      const flag = buildAdmissionRequest(deploy, resolver.resolve('apps/v1', 'Deployment'), {
        ...create,
        defaultNamespace: 'other',
      });
      assert.equal(flag.request.namespace, 'other');
      const ns = buildAdmissionRequest(
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
        resolver.resolve('v1', 'Namespace'),
        create,
      );
      assert.equal(ns.request.namespace, undefined);
      assert.equal('namespace' in (ns.request.object as KubeObject).metadata!, false);
    });

    it('gives the same uid for the same input and another for another', () => {
      const res = resolver.resolve('apps/v1', 'Deployment');
      const a = buildAdmissionRequest(deploy, res, create).request.uid;
      assert.equal(buildAdmissionRequest(structuredClone(deploy), res, create).request.uid, a);
      assert.notEqual(buildAdmissionRequest({ ...deploy, metadata: { name: 'api' } }, res, create).request.uid, a);
    });
  });

  describe('rule matching (admissionregistration/v1 RuleWithOperations)', () => {
    const pods: RuleTarget = { group: '', version: 'v1', resource: 'pods', namespaced: true, operation: 'CREATE' };
    const rule = (r: Partial<Parameters<typeof ruleMatches>[0]>) => ({
      apiGroups: [''],
      apiVersions: ['v1'],
      resources: ['pods'],
      operations: ['CREATE'],
      ...r,
    });
    const cases: [string, Parameters<typeof ruleMatches>[0], RuleTarget, boolean][] = [
      ['exact match', rule({}), pods, true],
      ['other operation', rule({ operations: ['UPDATE'] }), pods, false],
      ['operation *', rule({ operations: ['*'] }), pods, true],
      ['other group', rule({ apiGroups: ['apps'] }), pods, false],
      ['group *', rule({ apiGroups: ['*'] }), pods, true],
      ['version *', rule({ apiVersions: ['*'] }), { ...pods, version: 'v2' }, true],
      ['resource *', rule({ resources: ['*'] }), pods, true],
      ['resource * excludes subresources', rule({ resources: ['*'] }), { ...pods, subResource: 'status' }, false],
      // apiserver's splitResource("pods/*") gives sub "*", which also matches the empty subresource.
      ['pods/* matches pods itself', rule({ resources: ['pods/*'] }), pods, true],
      ['pods/status does not match pods', rule({ resources: ['pods/status'] }), pods, false],
      ['pods/* matches pods/status', rule({ resources: ['pods/*'] }), { ...pods, subResource: 'status' }, true],
      ['*/status', rule({ resources: ['*/status'] }), { ...pods, subResource: 'status' }, true],
      ['*/* matches everything', rule({ resources: ['*/*'] }), pods, true],
      ['scope Cluster excludes namespaced', rule({ scope: 'Cluster' }), pods, false],
      ['scope Namespaced', rule({ scope: 'Namespaced' }), pods, true],
    ];
    for (const [name, r, t, want] of cases) it(name, () => assert.equal(ruleMatches(r, t), want));
  });

  describe('JSON Patch', () => {
    it('diffs objects and arrays so that applying the patch gives the target', () => {
      const a = { spec: { containers: [{ name: 'a' }, { name: 'b', x: 1 }, { name: 'c' }], gone: true }, keep: 'k~/' };
      const b = {
        spec: {
          containers: [
            { name: 'a', securityContext: { capabilities: { drop: ['ALL'] } } },
            { name: 'b', x: 2 },
          ],
        },
        keep: 'k~/',
        'new/key': null,
      };
      const ops = diff(a, b);
      assert.deepEqual(ops, [
        { op: 'remove', path: '/spec/gone' },
        { op: 'add', path: '/spec/containers/0/securityContext', value: { capabilities: { drop: ['ALL'] } } },
        { op: 'replace', path: '/spec/containers/1/x', value: 2 },
        { op: 'remove', path: '/spec/containers/2' },
        { op: 'add', path: '/new~1key', value: null },
      ]);
      assert.deepEqual(applyPatch(a, ops), b);
      assert.deepEqual(diff(a, structuredClone(a)), []);
      assert.deepEqual(diff(1, '1'), [{ op: 'replace', path: '', value: '1' }]);
    });
  });

  describe('responses (docs/host-interface.md §1.5, §1.6)', () => {
    const res = new ResourceResolver().resolve('v1', 'Pod');
    const { request } = buildAdmissionRequest(
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { a: 1 } },
      res,
      create,
    );

    it('maps accepted/message/code/warnings and computes the patch of a mutation', () => {
      const mutated = { ...(request.object as object), spec: { a: 2 } };
      const { response, patch } = toAdmissionResponse(request, {
        ok: true,
        response: { accepted: true, mutated_object: mutated, warnings: ['w'], message: null, code: null },
      });
      assert.deepEqual(patch, [{ op: 'replace', path: '/spec/a', value: 2 }]);
      assert.equal(response.patchType, 'JSONPatch');
      assert.deepEqual(JSON.parse(Buffer.from(response.patch!, 'base64').toString()), patch);
      assert.equal(response.status, undefined);
      assert.deepEqual(response.warnings, ['w']);
      assert.equal(response.uid, request.uid);
      const rejected = toAdmissionResponse(request, {
        ok: true,
        response: { accepted: false, message: 'no', code: 403 },
      });
      assert.deepEqual(rejected.response, { uid: request.uid, allowed: false, status: { message: 'no', code: 403 } });
    });

    it('an identical mutated object is no patch', () => {
      const out = toAdmissionResponse(request, {
        ok: true,
        response: { accepted: true, mutated_object: structuredClone(request.object) },
      });
      assert.equal(out.patch, undefined);
      assert.equal(out.response.patch, undefined);
    });

    it('refuses a mutation of a DELETE request', () => {
      const del = { ...request, object: undefined };
      const out = toAdmissionResponse(del, { ok: true, response: { accepted: true, mutated_object: {} } });
      assert.deepEqual(out.response.status, { message: DELETE_MUTATION_MESSAGE });
      assert.equal(out.response.allowed, false);
    });

    // crates/policy-server evaluation `validation_response_with_constraints`: custom message first (rejections only),
    // then monitor / mutation refusal; the refusal's status is its message alone (code and causes reset).
    it('post-processes in policy-server order: custom message, then monitor or the mutation refusal', () => {
      const mutating = toAdmissionResponse(request, {
        ok: true,
        response: { accepted: true, mutated_object: { ...(request.object as object), x: 1 } },
      });
      const monitored = postProcess(mutating, { policyId: 'p1', mode: 'monitor', allowedToMutate: false });
      assert.deepEqual(monitored.response, { uid: request.uid, allowed: true });
      const refused = postProcess(mutating, {
        policyId: 'p1',
        mode: 'protect',
        allowedToMutate: false,
        message: 'custom',
      });
      assert.equal(refused.response.allowed, false);
      assert.equal(refused.response.patch, undefined);
      assert.deepEqual(
        refused.response.status,
        {
          message:
            'Request rejected by policy p1. The policy attempted to mutate the request, but it is currently configured to not allow mutations.',
        },
        'an accepted patch is not a rejection when the custom message is applied',
      );
      const coded = toAdmissionResponse(request, {
        ok: true,
        response: {
          accepted: false,
          message: 'no',
          code: 403,
          mutated_object: { ...(request.object as object), x: 1 },
        },
      });
      assert.deepEqual(
        postProcess(coded, { policyId: 'p1', mode: 'protect', allowedToMutate: false }).response.status,
        {
          message:
            'Request rejected by policy p1. The policy attempted to mutate the request, but it is currently configured to not allow mutations.',
        },
        'the refusal resets code',
      );
      const rejected = toAdmissionResponse(request, {
        ok: true,
        response: { accepted: false, message: 'original', code: 403 },
      });
      assert.deepEqual(
        postProcess(rejected, { policyId: 'p1', mode: 'protect', allowedToMutate: false, message: 'custom' }).response
          .status,
        { message: 'custom', code: 403, details: { causes: [{ message: 'original' }] } },
      );
      const silent = toAdmissionResponse(request, { ok: true, response: { accepted: false } });
      assert.deepEqual(
        postProcess(silent, { policyId: 'p1', mode: 'protect', allowedToMutate: false, message: 'custom' }).response
          .status,
        { message: 'custom', details: { causes: [{ message: '' }] } },
        'an empty cause when the policy gave no message',
      );
      const allowed = postProcess(mutating, {
        policyId: 'p1',
        mode: 'protect',
        allowedToMutate: true,
        message: 'custom',
      });
      assert.equal(allowed.response.allowed, true);
      assert.ok(allowed.response.patch);
    });
  });
});
