import { applyDefaults } from '../../../../lib/apiserver/defaults/index';
import { podWith, runCases, type RuleCase } from './harness';

const D = 'pkg/apis/core/v1/defaults.go';
const G = 'pkg/apis/core/v1/zz_generated.defaults.go';

const container = (extra: Record<string, unknown>) => ({ name: 'c', image: 'nginx:1.27', ...extra });

const cases: RuleCase[] = [
  {
    name: 'PodSpec scalar defaults',
    upstream: `${D} SetDefaults_PodSpec`,
    gvk: 'v1/Pod',
    input: podWith({}),
    expect: {
      spec: {
        dnsPolicy: 'ClusterFirst',
        restartPolicy: 'Always',
        securityContext: {},
        terminationGracePeriodSeconds: 30,
        schedulerName: 'default-scheduler',
      },
    },
  },
  {
    name: 'PodSpec keeps what is set',
    upstream: `${D} SetDefaults_PodSpec`,
    gvk: 'v1/Pod',
    input: podWith({
      dnsPolicy: 'Default',
      restartPolicy: 'Never',
      securityContext: { runAsUser: 1 },
      terminationGracePeriodSeconds: 0,
      schedulerName: 's',
    }),
    expect: {
      spec: {
        dnsPolicy: 'Default',
        restartPolicy: 'Never',
        securityContext: { runAsUser: 1 },
        terminationGracePeriodSeconds: 0,
        schedulerName: 's',
      },
    },
  },
  {
    name: 'imagePullPolicy IfNotPresent for a tagged image',
    upstream: `${D} SetDefaults_Container`,
    gvk: 'v1/Pod',
    input: podWith({}),
    expect: {
      spec: {
        containers: [
          {
            name: 'c',
            image: 'nginx:1.27',
            imagePullPolicy: 'IfNotPresent',
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
          },
        ],
      },
    },
  },
  {
    name: 'imagePullPolicy Always for an untagged image',
    upstream: `${D} SetDefaults_Container`,
    gvk: 'v1/Pod',
    input: podWith({ containers: [{ name: 'c', image: 'registry:5000/app' }] }),
    expect: {
      spec: {
        containers: [
          {
            name: 'c',
            image: 'registry:5000/app',
            imagePullPolicy: 'Always',
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
          },
        ],
      },
    },
  },
  {
    name: 'init and ephemeral containers get the container defaults',
    upstream: `${D} SetDefaults_Container, SetDefaults_EphemeralContainer`,
    gvk: 'v1/Pod',
    input: podWith({
      initContainers: [{ name: 'i', image: 'busybox:latest' }],
      ephemeralContainers: [{ name: 'e', image: 'busybox@sha256:' + 'a'.repeat(64) }],
    }),
    expect: {
      spec: {
        initContainers: [
          {
            name: 'i',
            image: 'busybox:latest',
            imagePullPolicy: 'Always',
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
          },
        ],
        ephemeralContainers: [
          {
            name: 'e',
            image: 'busybox@sha256:' + 'a'.repeat(64),
            imagePullPolicy: 'IfNotPresent',
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
          },
        ],
      },
    },
  },
  {
    name: 'container port protocol TCP',
    upstream: `${G} SetObjectDefaults_Pod (ContainerPort protocol)`,
    gvk: 'v1/Pod',
    input: podWith({
      containers: [container({ ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }] })],
    }),
    expect: {
      spec: {
        containers: [
          {
            ports: [
              { containerPort: 80, protocol: 'TCP' },
              { containerPort: 53, protocol: 'UDP' },
            ],
          },
        ],
      },
    },
  },
  {
    name: 'env fieldRef apiVersion v1, fileKeyRef optional false',
    upstream: `${D} SetDefaults_ObjectFieldSelector; +default=false FileKeySelector.optional`,
    gvk: 'v1/Pod',
    input: podWith({
      containers: [
        container({
          env: [
            { name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'B', valueFrom: { fileKeyRef: { volumeName: 'v', path: 'p', key: 'k' } } },
          ],
        }),
      ],
    }),
    expect: {
      spec: {
        containers: [
          {
            env: [
              { name: 'A', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
              { name: 'B', valueFrom: { fileKeyRef: { volumeName: 'v', path: 'p', key: 'k', optional: false } } },
            ],
          },
        ],
      },
    },
  },
  {
    name: 'container resources rounded up to milli',
    upstream: `${D} SetDefaults_ResourceList`,
    gvk: 'v1/Pod',
    input: podWith({
      containers: [container({ resources: { limits: { cpu: '1.5m', memory: '1.5Gi' }, requests: { cpu: '0.1m' } } })],
    }),
    expect: {
      spec: { containers: [{ resources: { limits: { cpu: '2m', memory: '1536Mi' }, requests: { cpu: '1m' } } }] },
    },
  },
  {
    name: 'probe defaults, httpGet path and scheme, grpc service',
    upstream: `${D} SetDefaults_Probe, SetDefaults_HTTPGetAction; +default="" GRPCAction.service`,
    gvk: 'v1/Pod',
    input: podWith({
      containers: [
        container({
          livenessProbe: { httpGet: { port: 8080 } },
          readinessProbe: { grpc: { port: 9000 }, periodSeconds: 5, timeoutSeconds: 0 },
          startupProbe: { exec: { command: ['true'] }, failureThreshold: 30 },
        }),
      ],
    }),
    expect: {
      spec: {
        containers: [
          {
            livenessProbe: {
              httpGet: { port: 8080, path: '/', scheme: 'HTTP' },
              timeoutSeconds: 1,
              periodSeconds: 10,
              successThreshold: 1,
              failureThreshold: 3,
            },
            readinessProbe: {
              grpc: { port: 9000, service: '' },
              periodSeconds: 5,
              timeoutSeconds: 1,
              successThreshold: 1,
              failureThreshold: 3,
            },
            startupProbe: {
              exec: { command: ['true'] },
              failureThreshold: 30,
              timeoutSeconds: 1,
              periodSeconds: 10,
              successThreshold: 1,
            },
          },
        ],
      },
    },
  },
  {
    name: 'lifecycle httpGet path and scheme',
    upstream: `${D} SetDefaults_HTTPGetAction`,
    gvk: 'v1/Pod',
    input: podWith({
      containers: [
        container({
          lifecycle: {
            preStop: { httpGet: { port: 80 } },
            postStart: { httpGet: { port: 81, path: '/x', scheme: 'HTTPS' } },
          },
        }),
      ],
    }),
    expect: {
      spec: {
        containers: [
          {
            lifecycle: {
              preStop: { httpGet: { port: 80, path: '/', scheme: 'HTTP' } },
              postStart: { httpGet: { port: 81, path: '/x', scheme: 'HTTPS' } },
            },
          },
        ],
      },
    },
  },
  {
    name: 'a volume without a source becomes emptyDir',
    upstream: `${D} SetDefaults_Volume`,
    gvk: 'v1/Pod',
    input: podWith({ volumes: [{ name: 'v' }] }),
    expect: { spec: { volumes: [{ name: 'v', emptyDir: {} }] } },
  },
  {
    name: 'secret, configMap, downwardAPI, projected defaultMode 420 and nested defaults',
    upstream: `${D} SetDefaults_SecretVolumeSource, SetDefaults_ConfigMapVolumeSource, SetDefaults_DownwardAPIVolumeSource, SetDefaults_ProjectedVolumeSource, SetDefaults_ServiceAccountTokenProjection`,
    gvk: 'v1/Pod',
    input: podWith({
      volumes: [
        { name: 's', secret: { secretName: 's' } },
        { name: 'c', configMap: { name: 'c', defaultMode: 256 } },
        { name: 'd', downwardAPI: { items: [{ path: 'n', fieldRef: { fieldPath: 'metadata.name' } }] } },
        {
          name: 'p',
          projected: {
            sources: [
              { serviceAccountToken: { path: 't' } },
              { downwardAPI: { items: [{ path: 'n', fieldRef: { fieldPath: 'metadata.name' } }] } },
            ],
          },
        },
      ],
    }),
    expect: {
      spec: {
        volumes: [
          { name: 's', secret: { secretName: 's', defaultMode: 420 } },
          { name: 'c', configMap: { name: 'c', defaultMode: 256 } },
          {
            name: 'd',
            downwardAPI: {
              defaultMode: 420,
              items: [{ path: 'n', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } }],
            },
          },
          {
            name: 'p',
            projected: {
              defaultMode: 420,
              sources: [
                { serviceAccountToken: { path: 't', expirationSeconds: 3600 } },
                { downwardAPI: { items: [{ path: 'n', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } }] } },
              ],
            },
          },
        ],
      },
    },
  },
  {
    name: 'hostPath type, iscsi, rbd, azureDisk, scaleIO source defaults',
    upstream: `${D} SetDefaults_HostPathVolumeSource, SetDefaults_ISCSIVolumeSource, SetDefaults_RBDVolumeSource, SetDefaults_AzureDiskVolumeSource, SetDefaults_ScaleIOVolumeSource`,
    gvk: 'v1/Pod',
    input: podWith({
      volumes: [
        { name: 'h', hostPath: { path: '/x' } },
        { name: 'i', iscsi: { targetPortal: 't', iqn: 'q', lun: 0 } },
        { name: 'r', rbd: { monitors: ['m'], image: 'i' } },
        { name: 'a', azureDisk: { diskName: 'd', diskURI: 'u' } },
        { name: 's', scaleIO: { gateway: 'g', system: 's', secretRef: { name: 'x' } } },
      ],
    }),
    expect: {
      spec: {
        volumes: [
          { name: 'h', hostPath: { path: '/x', type: '' } },
          { name: 'i', iscsi: { iscsiInterface: 'default' } },
          { name: 'r', rbd: { pool: 'rbd', user: 'admin', keyring: '/etc/ceph/keyring' } },
          { name: 'a', azureDisk: { cachingMode: 'ReadWrite', fsType: 'ext4', readOnly: false, kind: 'Shared' } },
          { name: 's', scaleIO: { storageMode: 'ThinProvisioned', fsType: 'xfs' } },
        ],
      },
    },
  },
  {
    name: 'ephemeral volume claim template: volumeMode and rounding',
    upstream: `${D} SetDefaults_PersistentVolumeClaimSpec`,
    gvk: 'v1/Pod',
    input: podWith({
      volumes: [
        {
          name: 'e',
          ephemeral: {
            volumeClaimTemplate: {
              spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1.5Gi' } } },
            },
          },
        },
      ],
    }),
    expect: {
      spec: {
        volumes: [
          {
            name: 'e',
            ephemeral: {
              volumeClaimTemplate: {
                spec: { volumeMode: 'Filesystem', resources: { requests: { storage: '1536Mi' } } },
              },
            },
          },
        ],
      },
    },
  },
  {
    name: 'image volume pullPolicy defaulted with ImageVolume on',
    upstream: `${D} SetDefaults_Volume (image pullPolicy, ImageVolume gate)`,
    gvk: 'v1/Pod',
    version: '1.35',
    input: podWith({ volumes: [{ name: 'i', image: { reference: 'quay.io/x/y' } }] }),
    expect: { spec: { volumes: [{ name: 'i', image: { reference: 'quay.io/x/y', pullPolicy: 'Always' } }] } },
  },
  {
    name: 'image volume pullPolicy not defaulted with ImageVolume off',
    upstream: `${D} SetDefaults_Volume (image pullPolicy, ImageVolume gate)`,
    gvk: 'v1/Pod',
    version: '1.33',
    input: podWith({ volumes: [{ name: 'i', image: { reference: 'quay.io/x/y:1' } }] }),
    absent: ['spec.volumes.0.image.pullPolicy'],
  },
  {
    name: 'image volume pullPolicy not defaulted in 1.34 either',
    upstream: `${D} SetDefaults_Volume (image pullPolicy, ImageVolume gate)`,
    gvk: 'v1/Pod',
    version: '1.34',
    input: podWith({ volumes: [{ name: 'i', image: { reference: 'quay.io/x/y:1' } }] }),
    absent: ['spec.volumes.0.image.pullPolicy'],
  },
  {
    name: 'pod overhead and pod-level resources rounded',
    upstream: `${D} SetDefaults_ResourceList`,
    gvk: 'v1/Pod',
    input: podWith({ overhead: { cpu: '0.0001' }, resources: { limits: { cpu: '1.0001', memory: '1Gi' } } }),
    expect: { spec: { overhead: { cpu: '1m' }, resources: { limits: { cpu: '1001m', memory: '1Gi' } } } },
  },
  {
    name: 'pod templates get table A (Deployment)',
    upstream: `${G} SetObjectDefaults_Deployment`,
    gvk: 'apps/v1/Deployment',
    input: {
      spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] }] } } },
    },
    expect: {
      spec: {
        template: {
          spec: {
            dnsPolicy: 'ClusterFirst',
            restartPolicy: 'Always',
            containers: [{ imagePullPolicy: 'Always', ports: [{ containerPort: 80, protocol: 'TCP' }] }],
          },
        },
      },
    },
    absent: ['spec.template.spec.enableServiceLinks'],
  },
];

describe('apiserver defaults: PodSpec (table A)', () => runCases(cases, (obj, ctx) => applyDefaults(obj, ctx)));
