/**
 * The worked examples of the admission-path reference (§7): a Pod and a Deployment through defaulting, the
 * built-in mutating plugins (what a mutating policy sees) and PrepareForCreate (what a validating policy
 * sees), compared as whole objects. The kubectl last-applied annotation and managedFields are added by
 * other steps of the stage and are not part of these objects. Input objects are as the typed decoder leaves
 * them (always-encoded `resources: {}` and `status: {}` present).
 */
import assert from 'node:assert/strict';
import type { JsonObject } from '../../../../lib/apiserver/context';
import { applyDefaults } from '../../../../lib/apiserver/defaults/index';
import { runBuiltinMutatingPlugins } from '../../../../lib/apiserver/plugins/index';
import { prepareForCreate } from '../../../../lib/apiserver/prepare/index';
import { contextFor } from '../defaults/harness';

function stages(input: JsonObject, gvk: string): { mutating: JsonObject; validating: JsonObject } {
  const ctx = contextFor(gvk);
  const obj = structuredClone(input);
  applyDefaults(obj, ctx);
  runBuiltinMutatingPlugins(obj, ctx);
  const mutating = structuredClone(obj);
  prepareForCreate(obj, ctx);
  return { mutating, validating: obj };
}

const UID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('apiserver stage worked examples (admission-path reference §7)', () => {
  it('7.1 Pod nginx:1.27 with containerPort 80, mutating and validating', () => {
    const input: JsonObject = {
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { name: 'nginx', namespace: 'default' },
      spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }], resources: {} }] },
      status: {},
    };
    const { mutating, validating } = stages(input, 'v1/Pod');
    const volume = String(((mutating.spec as JsonObject).volumes as JsonObject[])[0].name);
    assert.match(volume, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    const expectedMutating: JsonObject = {
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { name: 'nginx', namespace: 'default' },
      spec: {
        volumes: [
          {
            name: volume,
            projected: {
              sources: [
                { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
                { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
                {
                  downwardAPI: {
                    items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
                  },
                },
              ],
              defaultMode: 420,
            },
          },
        ],
        containers: [
          {
            name: 'nginx',
            image: 'nginx:1.27',
            ports: [{ containerPort: 80, protocol: 'TCP' }],
            resources: {},
            volumeMounts: [
              { name: volume, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
            ],
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
            imagePullPolicy: 'IfNotPresent',
          },
        ],
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 30,
        dnsPolicy: 'ClusterFirst',
        serviceAccountName: 'default',
        serviceAccount: 'default',
        securityContext: {},
        schedulerName: 'default-scheduler',
        tolerations: [
          { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
          { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        ],
        priority: 0,
        enableServiceLinks: true,
        preemptionPolicy: 'PreemptLowerPriority',
      },
      status: {},
    };
    assert.deepEqual(mutating, expectedMutating);
    const metadata = validating.metadata as JsonObject;
    assert.match(String(metadata.uid), UID);
    assert.deepEqual(validating, {
      ...expectedMutating,
      metadata: {
        name: 'nginx',
        namespace: 'default',
        uid: metadata.uid,
        generation: 1,
        creationTimestamp: '2026-12-07T01:00:00Z',
      },
      status: { phase: 'Pending', qosClass: 'BestEffort' },
    });
  });

  it('7.2 Deployment replicas 2, image nginx, limits cpu 0.5 / memory 1Gi, mutating and validating', () => {
    const input: JsonObject = {
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [{ name: 'web', image: 'nginx', resources: { limits: { cpu: '500m', memory: '1Gi' } } }],
          },
        },
      },
      status: {},
    };
    const { mutating, validating } = stages(input, 'apps/v1/Deployment');
    const expectedMutating: JsonObject = {
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [
              {
                name: 'web',
                image: 'nginx',
                resources: { limits: { cpu: '500m', memory: '1Gi' } },
                terminationMessagePath: '/dev/termination-log',
                terminationMessagePolicy: 'File',
                imagePullPolicy: 'Always',
              },
            ],
            restartPolicy: 'Always',
            terminationGracePeriodSeconds: 30,
            dnsPolicy: 'ClusterFirst',
            securityContext: {},
            schedulerName: 'default-scheduler',
          },
        },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
      status: {},
    };
    assert.deepEqual(mutating, expectedMutating);
    const metadata = validating.metadata as JsonObject;
    assert.match(String(metadata.uid), UID);
    assert.deepEqual(validating, {
      ...expectedMutating,
      metadata: {
        name: 'web',
        namespace: 'default',
        uid: metadata.uid,
        generation: 1,
        creationTimestamp: '2026-12-07T01:00:00Z',
      },
    });
  });
});
