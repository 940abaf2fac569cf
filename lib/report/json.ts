import { reportDocument } from './document';
import type { Reporter } from './reporter';

export { JSON_SCHEMA_VERSION } from './document';

export const jsonReporter: Reporter = {
  name: 'json',
  render(report) {
    return JSON.stringify(reportDocument(report), null, 2) + '\n';
  },
};
