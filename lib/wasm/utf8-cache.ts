const utf8 = new TextEncoder();

/**
 * UTF-8 of strings that recur on every call (settings documents, waPC operation names), encoded once each. A run
 * has a handful; the bound only matters to a long-lived embedder, and the cache then starts over.
 */
export class Utf8Cache {
  private readonly encoded = new Map<string, Uint8Array>();

  constructor(private readonly max: number) {}

  get(text: string): Uint8Array {
    let bytes = this.encoded.get(text);
    if (!bytes) {
      if (this.encoded.size >= this.max) this.encoded.clear();
      bytes = utf8.encode(text);
      this.encoded.set(text, bytes);
    }
    return bytes;
  }
}
