import { globMatch } from '../../util/glob.js';
import { categoryFlag } from './categories.js';
import type { AclCommandIndex } from './command-index.js';

/** Why a rule was refused, as Redis's errno codes (see RULE_ERRORS for the messages). */
export type RuleErrorCode =
  | 'ENOENT'
  | 'EINVAL'
  | 'EEXIST'
  | 'EISDIR'
  | 'ENODEV'
  | 'EBADMSG'
  | 'EALREADY'
  | 'ECHILD';

export const RULE_ERRORS: Record<RuleErrorCode, string> = {
  ENOENT: 'Unknown command or category name in ACL',
  EINVAL: 'Syntax error',
  EEXIST:
    "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
  EISDIR:
    "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels",
  ENODEV: 'The password you are trying to remove from the user does not exist',
  EBADMSG:
    'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters',
  EALREADY: 'Duplicate user found. A user can only be defined once in config files',
  ECHILD: 'Allowing first-arg of a subcommand is not supported',
};

export class RuleError extends Error {
  constructor(readonly code: RuleErrorCode) {
    super(RULE_ERRORS[code]);
  }
}

export const READ = 1;
export const WRITE = 2;
export const READ_WRITE = READ | WRITE;

export interface KeyPattern {
  pattern: string;
  /** READ, WRITE or both. */
  flags: number;
}

/** Whitespace or NUL, which Redis refuses in user names and patterns (C's isspace). */
export function hasSpaces(s: string): boolean {
  return /[ \t\n\v\f\r\0]/.test(s);
}

/**
 * One set of permissions (Redis's aclSelector): allowed commands as a bitmap over the command index, allowed
 * first arguments of otherwise denied commands, key patterns with read/write flags, channel patterns.
 */
export class Selector {
  allKeys = false;
  allChannels: boolean;
  /** +@all given and no command removed since: the command check can be skipped. */
  allCommands = false;
  allowed: Uint8Array;
  /** Command id → first arguments allowed (the deprecated `+select|0` form). */
  firstArgs = new Map<number, string[]>();
  keys: KeyPattern[] = [];
  channels: string[] = [];

  constructor(
    readonly index: AclCommandIndex,
    readonly root: boolean,
    pubsubDefaultAll: boolean,
  ) {
    this.allChannels = pubsubDefaultAll;
    this.allowed = new Uint8Array(index.future + 1);
  }

  copy(): Selector {
    const s = new Selector(this.index, this.root, this.allChannels);
    s.allKeys = this.allKeys;
    s.allCommands = this.allCommands;
    s.allowed = this.allowed.slice();
    for (const [id, args] of this.firstArgs) s.firstArgs.set(id, [...args]);
    s.keys = this.keys.map((k) => ({ ...k }));
    s.channels = [...this.channels];
    return s;
  }

  /** Applies one rule (Redis's ACLSetSelector); throws RuleError. */
  apply(op: string): void {
    const lower = op.toLowerCase();
    if (lower === 'allkeys' || op === '~*') {
      this.allKeys = true;
      this.keys = [];
    } else if (lower === 'resetkeys') {
      this.allKeys = false;
      this.keys = [];
    } else if (lower === 'allchannels' || op === '&*') {
      this.allChannels = true;
      this.channels = [];
    } else if (lower === 'resetchannels') {
      this.allChannels = false;
      this.channels = [];
    } else if (lower === 'allcommands' || lower === '+@all') {
      this.allowed.fill(1);
      this.allCommands = true;
      this.firstArgs.clear();
    } else if (lower === 'nocommands' || lower === '-@all') {
      this.allowed.fill(0);
      this.allCommands = false;
      this.firstArgs.clear();
    } else if (op[0] === '~' || op[0] === '%') {
      this.addKeyPattern(op);
    } else if (op[0] === '&') {
      if (this.allChannels) throw new RuleError('EISDIR');
      const pattern = op.slice(1);
      if (hasSpaces(pattern)) throw new RuleError('EINVAL');
      if (!this.channels.includes(pattern)) this.channels.push(pattern);
      this.allChannels = false;
    } else if (op[0] === '+' && op[1] !== '@') {
      this.allowCommand(op.slice(1));
    } else if (op[0] === '-' && op[1] !== '@') {
      const id = this.index.lookup(op.slice(1));
      if (id < 0) throw new RuleError('ENOENT');
      this.changePermission(id, false);
    } else if ((op[0] === '+' || op[0] === '-') && op[1] === '@') {
      const flag = categoryFlag(op.slice(2));
      if (!flag) throw new RuleError('ENOENT');
      this.setCategory(flag, op[0] === '+');
    } else {
      throw new RuleError('EINVAL');
    }
  }

  private addKeyPattern(op: string): void {
    if (this.allKeys) throw new RuleError('EEXIST');
    let flags = 0;
    let offset = 1;
    if (op[0] === '%') {
      for (; offset < op.length; offset++) {
        const c = op[offset]!.toUpperCase();
        if (c === 'R' && !(flags & READ)) flags |= READ;
        else if (c === 'W' && !(flags & WRITE)) flags |= WRITE;
        else if (op[offset] === '~') {
          offset++;
          break;
        } else throw new RuleError('EINVAL');
      }
    } else flags = READ_WRITE;
    const pattern = op.slice(offset);
    if (hasSpaces(pattern)) throw new RuleError('EINVAL');
    const existing = this.keys.find((k) => k.pattern === pattern);
    if (existing) existing.flags |= flags;
    else this.keys.push({ pattern, flags });
    this.allKeys = false;
  }

  private allowCommand(name: string): void {
    const bar = name.lastIndexOf('|');
    if (bar < 0) {
      const id = this.index.lookup(name);
      if (id < 0) throw new RuleError('ENOENT');
      this.changePermission(id, true);
      return;
    }
    const id = this.index.lookup(name.slice(0, bar));
    if (id < 0) throw new RuleError('ENOENT');
    if (this.index.parents[id] !== -1) throw new RuleError('ECHILD');
    const first = name.slice(bar + 1);
    if (first === '') throw new RuleError('EINVAL');
    if (this.index.children[id]!.length > 0) {
      const sub = this.index.lookup(name);
      if (sub < 0) throw new RuleError('ENOENT');
      this.changePermission(sub, true);
      return;
    }
    const args = this.firstArgs.get(id) ?? [];
    if (!args.some((a) => a.toLowerCase() === first.toLowerCase())) args.push(first);
    this.firstArgs.set(id, args);
  }

  setBit(id: number, value: boolean): void {
    this.allowed[id] = value ? 1 : 0;
    if (!value) this.allCommands = false;
  }

  /** Allows or denies a command; for a container command, all its subcommands too. */
  changePermission(id: number, allow: boolean): void {
    this.setBit(id, allow);
    this.firstArgs.delete(id);
    for (const sub of this.index.children[id]!) this.setBit(sub, allow);
  }

  /** +@cat / -@cat: every command of the category, parents before their subcommands, as Redis walks them. */
  setCategory(flag: number, allow: boolean): void {
    const { topLevel, categories, children } = this.index;
    for (const id of topLevel) {
      if (categories[id]! & flag) this.changePermission(id, allow);
      for (const sub of children[id]!) if (categories[sub]! & flag) this.changePermission(sub, allow);
    }
  }

  /** Counts commands of a category this selector allows (on) and denies (off). */
  countCategory(flag: number): { on: number; off: number } {
    let on = 0;
    let off = 0;
    const categories = this.index.categories;
    for (let id = 0; id < categories.length; id++) {
      if (categories[id]! & flag) {
        if (this.allowed[id]) on++;
        else off++;
      }
    }
    return { on, off };
  }

  /** Whether a key may be used with the given READ/WRITE needs (Redis's ACLSelectorCheckKey). */
  keyAllowed(key: string, needs: number): boolean {
    if (this.allKeys) return true;
    for (const k of this.keys) {
      if ((k.flags & needs) !== needs) continue;
      if (globMatch(k.pattern, key)) return true;
    }
    return false;
  }

  /** Channels are matched against the patterns; a PSUBSCRIBE pattern must equal one literally. */
  channelAllowed(channel: string, isPattern: boolean): boolean {
    if (this.allChannels) return true;
    return channelInList(this.channels, channel, isPattern);
  }
}

export function channelInList(list: readonly string[], channel: string, isPattern: boolean): boolean {
  for (const pattern of list) {
    if (isPattern ? pattern === channel : globMatch(pattern, channel)) return true;
  }
  return false;
}

export function patternString(k: KeyPattern): string {
  const prefix = k.flags === READ_WRITE ? '~' : k.flags === READ ? '%R~' : k.flags === WRITE ? '%W~' : '%~';
  return prefix + k.pattern;
}
