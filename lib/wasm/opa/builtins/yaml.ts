import * as jsyaml from 'js-yaml';
import { KUBERNETES_SCHEMA } from '../../../manifests/yaml';
import { OperandError, stringOperand, type Builtin } from './types';
import { fromPlain, toPlain, type RegoValue } from '../value';

/**
 * OPA reads and writes YAML with sigs.k8s.io/yaml (go-yaml v2), as kubectl does: the same schema as our
 * manifest reader (YAML 1.1 scalars, merge keys, timestamps as strings); only the first document of a
 * stream, keys sorted and sequences not indented on output.
 */
const YAML11_SCHEMA = KUBERNETES_SCHEMA;

function reason(err: unknown): string {
  return err instanceof jsyaml.YAMLException ? err.message.split('\n')[0] : (err as Error).message;
}

/** yaml.unmarshal: the first document as JSON data (an empty document is null). */
export function yamlUnmarshal(text: string): RegoValue {
  let docs: unknown[];
  try {
    docs = jsyaml.loadAll(text, { schema: YAML11_SCHEMA });
  } catch (err) {
    throw new OperandError(`error converting YAML to JSON: yaml: ${reason(err)}`);
  }
  try {
    return fromPlain(docs.length === 0 ? null : docs[0]);
  } catch (err) {
    throw new OperandError(`error converting YAML to JSON: ${(err as Error).message}`);
  }
}

export function yamlMarshal(v: RegoValue): string {
  return jsyaml.dump(toPlain(v), {
    schema: YAML11_SCHEMA,
    sortKeys: true,
    seqNoIndent: true,
    quoteStyle: 'double',
    lineWidth: -1,
    noRefs: true,
  });
}

export const YAML_BUILTINS: Record<string, Builtin> = {
  'yaml.marshal': { arity: 1, fn: (args) => yamlMarshal(args[0]) },
  'yaml.unmarshal': { arity: 1, fn: (args) => yamlUnmarshal(stringOperand(args, 0)) },
  'yaml.is_valid': {
    arity: 1,
    fn: (args) => {
      if (typeof args[0] !== 'string') return false;
      try {
        jsyaml.loadAll(args[0], { schema: YAML11_SCHEMA });
        return true;
      } catch {
        return false;
      }
    },
  },
};
