/** A maxmemory-policy, split into what it samples and how it ranks candidates. */
export interface EvictionPolicy {
  name: string;
  /** Evicts among all keys (allkeys-*) rather than keys with a TTL (volatile-*). */
  allKeys: boolean;
  kind: 'lru' | 'lfu' | 'random' | 'ttl' | 'none';
}

export function parsePolicy(name: string): EvictionPolicy {
  if (name === 'noeviction') return { name, allKeys: false, kind: 'none' };
  const dash = name.indexOf('-');
  const scope = name.slice(0, dash);
  const kind = name.slice(dash + 1) as EvictionPolicy['kind'];
  return { name, allKeys: scope === 'allkeys', kind };
}

/** The policies that need per-key access data (Redis's MAXMEMORY_FLAG_LRU / _LFU). */
export function tracksAccess(policy: EvictionPolicy): boolean {
  return policy.kind === 'lru' || policy.kind === 'lfu';
}

/** Redis's shared.oomerr. */
export const OOM_ERROR = "OOM command not allowed when used memory > 'maxmemory'.";
