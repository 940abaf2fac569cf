/**
 * Field selectors: `field=value`, `field==value`, `field!=value`, joined by commas. Like the real server, each
 * resource supports only some fields; any other field is a 400 "field label not supported".
 */
import type { KubeObject } from '../../../lib/manifests';
import { SelectorError } from './label-selector';

export interface FieldRequirement {
  field: string;
  equal: boolean;
  value: string;
}

type FieldGetter = (obj: KubeObject) => string;

const metadataField =
  (f: 'name' | 'namespace'): FieldGetter =>
  (o) =>
    (o.metadata?.[f] as string | undefined) ?? '';
const path =
  (...keys: string[]): FieldGetter =>
  (o) => {
    let v: unknown = o;
    for (const k of keys) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
    return typeof v === 'string' ? v : '';
  };

const COMMON: Record<string, FieldGetter> = {
  'metadata.name': metadataField('name'),
  'metadata.namespace': metadataField('namespace'),
};

/** Extra fields per core resource, the ones kube-apiserver registers and clients actually use. */
const EXTRA: Record<string, Record<string, FieldGetter>> = {
  pods: {
    'spec.nodeName': path('spec', 'nodeName'),
    'spec.restartPolicy': path('spec', 'restartPolicy'),
    'spec.schedulerName': path('spec', 'schedulerName'),
    'spec.serviceAccountName': path('spec', 'serviceAccountName'),
    'status.phase': path('status', 'phase'),
    'status.podIP': path('status', 'podIP'),
  },
  secrets: { type: path('type') },
  namespaces: { 'status.phase': path('status', 'phase') },
};

export function parseFieldSelector(s: string, resource: string): FieldRequirement[] {
  if (s.trim() === '') return [];
  return s.split(',').map((part) => {
    const m = /^\s*([^=!\s]+)\s*(==|!=|=)\s*(.*?)\s*$/.exec(part);
    if (!m) throw new SelectorError(`invalid selector: '${s}'; can't understand '${part}'`);
    if (!COMMON[m[1]] && !EXTRA[resource]?.[m[1]]) throw new SelectorError(`field label not supported: ${m[1]}`);
    return { field: m[1], equal: m[2] !== '!=', value: m[3] };
  });
}

export function matchesFields(reqs: readonly FieldRequirement[], obj: KubeObject, resource: string): boolean {
  return reqs.every((r) => {
    const get = COMMON[r.field] ?? EXTRA[resource]![r.field];
    return (get(obj) === r.value) === r.equal;
  });
}
