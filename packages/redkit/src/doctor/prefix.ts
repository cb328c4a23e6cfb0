/**
 * The group a key belongs to, as people read key names: segments up to `depth`, stopping at the first one
 * that looks like an identifier (it holds a digit, a hash tag, or is a long token), and never the last
 * segment (the key's own name). `user:42:profile` → `user:*`, `myapp:session:abc` → `myapp:session:*`,
 * `stats:pageviews:2024-01-01` → `stats:pageviews:*`; a key without separator is its own group.
 */
export function keyPrefix(key: string, separator: string, depth: number): string {
  if (separator === '') return key;
  const segments = key.split(separator);
  if (segments.length === 1) return looksLikeId(key) ? '(no prefix)' : key;
  const kept: string[] = [];
  for (let i = 0; i < Math.min(depth, segments.length - 1); i++) {
    const segment = segments[i]!;
    if (looksLikeId(segment)) break;
    kept.push(segment);
  }
  return kept.length === 0 ? '(no prefix)' : `${kept.join(separator)}${separator}*`;
}

function looksLikeId(segment: string): boolean {
  return segment === '' || /[0-9{}]/.test(segment) || segment.length >= 24;
}

/** Glob match (`*`, `?`) as Redis's SCAN MATCH does, for --allow-no-ttl patterns. */
export function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}
