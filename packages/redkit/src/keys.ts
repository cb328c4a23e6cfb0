import { RedkitConfigError } from './errors.js';

/** Characters that would let a user-supplied part forge another key or hash tag. */
const UNSAFE = /[%:{}]/g;
const ESCAPES: Record<string, string> = { '%': '%25', ':': '%3A', '{': '%7B', '}': '%7D' };

/** Escapes a user-supplied key part so it cannot add separators or hash tags. */
export function escapeKeyPart(part: string | number): string {
  const text = typeof part === 'string' ? part : String(part);
  // Most parts need no escaping: scan once before paying for a regex replace (this runs on every call).
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25 || c === 0x3a || c === 0x7b || c === 0x7d)
      return text.replace(UNSAFE, (ch) => ESCAPES[ch]!);
  }
  return text;
}

/**
 * Builds keys under a namespace: `new Keys('shop').of('product', id)` → `shop:product:<id>`. Parts are
 * escaped, so `id = '1:admin'` cannot reach another key. `inSlot(...)` gives a builder whose keys share
 * one `{hash tag}`, so a multi-key script over them runs on Redis Cluster (all in one slot).
 */
export class Keys {
  private readonly prefix: string;

  constructor(
    readonly namespace: string,
    private readonly hashTag?: string,
  ) {
    if (/[{}]/.test(namespace)) {
      throw new RedkitConfigError(
        `namespace '${namespace}' must not contain '{' or '}': redkit adds hash tags itself`,
      );
    }
    this.prefix = hashTag === undefined ? namespace : `${namespace}:{${hashTag}}`;
  }

  /** A key of this namespace (and hash tag, if any) from escaped parts. */
  of(...parts: Array<string | number>): string {
    if (parts.length === 0) return this.prefix;
    return `${this.prefix}:${parts.map(escapeKeyPart).join(':')}`;
  }

  /** A builder whose keys all carry the hash tag made of these parts: one Cluster slot for all of them. */
  inSlot(...parts: Array<string | number>): Keys {
    if (this.hashTag !== undefined)
      throw new RedkitConfigError('keys already share a hash tag; nest with of()');
    return new Keys(this.namespace, parts.map(escapeKeyPart).join(':'));
  }
}

/** The Redis Cluster slot of a key (CRC16 of the hash tag, or of the whole key), as Redis computes it. */
export function clusterSlot(key: string | Buffer): number {
  const bytes = typeof key === 'string' ? Buffer.from(key) : key;
  let start = 0;
  let end = bytes.length;
  const open = bytes.indexOf(0x7b); // '{'
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1); // '}'
    if (close > open + 1) {
      start = open + 1;
      end = close;
    }
  }
  let crc = 0;
  for (let i = start; i < end; i++) {
    crc ^= bytes[i]! << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}
