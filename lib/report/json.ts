import type { Reporter } from './reporter';

/** Version of the JSON document layout described in docs/output-json.md. */
export const JSON_SCHEMA_VERSION = 'wasmpolicy.kubewarden.io/v1alpha1';

export const jsonReporter: Reporter = {
  name: 'json',
  render(report) {
    return JSON.stringify({ apiVersion: JSON_SCHEMA_VERSION, kind: 'CheckReport', ...report }, null, 2) + '\n';
  },
};
