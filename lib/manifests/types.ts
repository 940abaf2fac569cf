import type { KubeObject } from '../kube/object';

export type { KubeObject } from '../kube/object';

/** Where an object (or an error) came from. Lines and columns are 1-based. */
export interface SourceLocation {
  /** Path as the user named it, `-` for stdin, or the URL. */
  file: string;
  /** Line where the document (or the List item) starts. */
  line: number;
  column?: number;
  /** 0-based index of the YAML document in the file. */
  docIndex: number;
  /** 0-based index inside a `kind: List` / `*List` document. */
  itemIndex?: number;
  /** Rendered inputs (`-k`, `--helm`): the file the renderer says the object came from, relative to its DIR/chart. */
  origin?: string;
}

export interface ManifestObject {
  kind: 'object';
  object: KubeObject;
  source: SourceLocation;
  /** Said on stderr when the object is evaluated (e.g. a repeated key, of which kubectl keeps the last value). */
  warnings?: string[];
}

/** A document that could not be turned into an object; the run goes on with the others. */
export interface ManifestError {
  kind: 'error';
  source: SourceLocation;
  message: string;
}

/** A document that is deliberately not sent to admission (e.g. kustomize configuration). */
export interface ManifestSkip {
  kind: 'skip';
  source: SourceLocation;
  reason: string;
  apiVersion?: string;
  objectKind?: string;
  name?: string;
}

export type ManifestEntry = ManifestObject | ManifestError | ManifestSkip;
