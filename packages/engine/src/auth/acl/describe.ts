import { ACL_CATEGORIES, categoryFlag } from './categories.js';
import { patternString, Selector } from './selector.js';

/**
 * The command rules of a selector as Redis 7.0 writes them (ACLDescribeSelectorCommandRules): +@all or
 * -@all, then the categories that best fit the bitmap, then single commands for what is left. Redis walks
 * its command dict in hash order for the last part, so its order of single commands varies between runs;
 * here it is the command table's order.
 */
export function describeCommandRules(selector: Selector): string {
  const index = selector.index;
  const additive = selector.allowed[index.future] === 0;
  const rules: string[] = [additive ? '-@all' : '+@all'];
  const fake = new Selector(index, false, false);
  fake.apply(rules[0]!);
  const temp = new Selector(index, false, false);
  temp.allowed = selector.allowed.slice();
  const applied = new Set<number>();
  while (true) {
    let best = -1;
    let minDiff = Number.MAX_SAFE_INTEGER;
    let maxSame = 0;
    for (let j = 0; j < ACL_CATEGORIES.length; j++) {
      if (applied.has(j)) continue;
      const { on, off } = temp.countCategory(1 << j);
      const diff = additive ? off : on;
      const same = additive ? on : off;
      if (same > diff && (diff < minDiff || (diff === minDiff && same > maxSame))) {
        best = j;
        minDiff = diff;
        maxSame = same;
      }
    }
    if (best < 0) break;
    const name = ACL_CATEGORIES[best]!;
    fake.setCategory(categoryFlag(name), additive);
    temp.setCategory(categoryFlag(name), !additive);
    rules.push(`${additive ? '+' : '-'}@${name}`);
    applied.add(best);
  }
  for (const id of index.topLevel) {
    describeSingle(selector, fake, id, rules);
    for (const sub of index.children[id]!) describeSingle(selector, fake, sub, rules);
  }
  return rules.join(' ');
}

function describeSingle(selector: Selector, fake: Selector, id: number, rules: string[]): void {
  const name = selector.index.fullNames[id]!;
  const bit = selector.allowed[id] === 1;
  if (bit !== (fake.allowed[id] === 1)) {
    rules.push(`${bit ? '+' : '-'}${name}`);
    fake.changePermission(id, bit);
  }
  if (!bit) for (const arg of selector.firstArgs.get(id) ?? []) rules.push(`+${name}|${arg}`);
}

/** Key patterns, channels and command rules of one selector (ACL LIST's form). */
export function describeSelector(selector: Selector): string {
  let out = '';
  if (selector.allKeys) out += '~* ';
  else for (const k of selector.keys) out += `${patternString(k)} `;
  if (selector.allChannels) out += '&* ';
  else {
    out += 'resetchannels ';
    for (const c of selector.channels) out += `&${c} `;
  }
  return out + describeCommandRules(selector);
}
