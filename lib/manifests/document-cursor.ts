import type { DocumentChunk } from './split';

/**
 * An input's documents by index, for callers that ask in input order: each call cuts on from the document asked
 * for last, and only an earlier index starts the cut again from the first. One document is held at a time.
 */
export class DocumentCursor {
  private cut?: Iterator<DocumentChunk>;
  private at?: DocumentChunk;

  /** `documents`: the input's documents from the first, at each call. */
  constructor(private readonly documents: () => Iterator<DocumentChunk>) {}

  /** Whether any document has been cut yet. */
  get started(): boolean {
    return this.cut !== undefined;
  }

  /** The document `docIndex`, or undefined when the input has none of that index. */
  document(docIndex: number): DocumentChunk | undefined {
    if (!this.cut || (this.at && this.at.docIndex > docIndex)) {
      this.cut = this.documents();
      this.at = undefined;
    }
    while (!this.at || this.at.docIndex < docIndex) {
      const next = this.cut.next();
      if (next.done) return undefined;
      this.at = next.value;
    }
    return this.at.docIndex === docIndex ? this.at : undefined;
  }
}
