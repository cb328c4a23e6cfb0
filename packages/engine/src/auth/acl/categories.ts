/** Redis 7.0's ACL categories, in its order (ACL CAT, COMMAND INFO and rule descriptions follow it). */
export const ACL_CATEGORIES = [
  'keyspace',
  'read',
  'write',
  'set',
  'sortedset',
  'list',
  'hash',
  'string',
  'bitmap',
  'hyperloglog',
  'geo',
  'stream',
  'pubsub',
  'admin',
  'fast',
  'slow',
  'blocking',
  'dangerous',
  'connection',
  'transaction',
  'scripting',
] as const;

/** A category's bit in a command's category mask; 0 for an unknown name (matched case-insensitively). */
export function categoryFlag(name: string): number {
  const index = ACL_CATEGORIES.indexOf(name.toLowerCase() as (typeof ACL_CATEGORIES)[number]);
  return index < 0 ? 0 : 1 << index;
}

/** The mask of a command's categories (its spec lists them without '@'). */
export function categoryMask(categories: readonly string[]): number {
  let mask = 0;
  for (const name of categories) mask |= categoryFlag(name);
  return mask;
}
