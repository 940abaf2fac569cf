import * as jsyaml from 'js-yaml';
import { reportDocument } from './document';
import type { Reporter } from './reporter';

/** The same document as `-o json`, as YAML. */
export const yamlReporter: Reporter = {
  name: 'yaml',
  render(report) {
    return jsyaml.dump(reportDocument(report), { noRefs: true });
  },
};
