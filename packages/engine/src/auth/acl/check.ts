import type { CommandSpec } from '../../commands/registry.js';
import { commandHasKeys, type KeyReference, keysOfCall } from '../../commands/server/key-specs.js';
import type { AclCommandIndex } from './command-index.js';
import type { DenyReason } from './log.js';
import { READ, type Selector, WRITE } from './selector.js';
import type { User } from './user.js';

/** A refusal: why, and the argument index of the key or channel refused (0 for a command). */
export interface Denial {
  reason: DenyReason;
  pos: number;
}

/** Redis's ordering of refusals when no selector allows a call: channel over key over command. */
const RANK: Record<DenyReason, number> = { command: 1, key: 2, auth: 3, channel: 4 };

/** Channel arguments of pub/sub commands: from which index, whether patterns; unsubscribing is free. */
const CHANNEL_COMMANDS: Record<string, { all: boolean; pattern: boolean }> = {
  publish: { all: false, pattern: false },
  spublish: { all: false, pattern: false },
  subscribe: { all: true, pattern: false },
  ssubscribe: { all: true, pattern: false },
  psubscribe: { all: true, pattern: true },
};

/** Read/write needs of a key from its key-spec flags (access = read; insert, delete, update = write). */
function keyNeeds(flags: readonly string[]): number {
  let needs = 0;
  for (const f of flags) {
    if (f === 'access') needs |= READ;
    else if (f === 'insert' || f === 'delete' || f === 'update') needs |= WRITE;
  }
  return needs;
}

/** What one call needs checked, computed once for all selectors. */
class CallView {
  private keys: KeyReference[] | undefined;
  constructor(
    readonly index: AclCommandIndex,
    readonly spec: CommandSpec,
    readonly id: number,
    readonly argv: string[],
  ) {}

  keyRefs(): KeyReference[] {
    if (!this.keys) {
      const fullName = this.index.fullNames[this.id]!;
      this.keys = commandHasKeys(this.spec, fullName) ? keysOfCall(this.spec, fullName, this.argv) : [];
    }
    return this.keys;
  }
}

function checkSelector(s: Selector, call: CallView): Denial | undefined {
  const { spec, id, argv, index } = call;
  if (!s.allCommands && !spec.flags.includes('no_auth') && !s.allowed[id]) {
    const firstArgs = s.firstArgs.get(id);
    if (argv.length < 2 || !firstArgs) return { reason: 'command', pos: 0 };
    const arg = argv[index.parents[id] !== -1 ? 2 : 1]?.toLowerCase();
    if (!firstArgs.some((a) => a.toLowerCase() === arg)) return { reason: 'command', pos: 0 };
  }
  if (!s.allKeys) {
    for (const ref of call.keyRefs()) {
      if (!s.keyAllowed(argv[ref.pos]!, keyNeeds(ref.flags))) return { reason: 'key', pos: ref.pos };
    }
  }
  if (!s.allChannels) {
    const channels = CHANNEL_COMMANDS[index.fullNames[id]!];
    if (channels) {
      const last = channels.all ? argv.length - 1 : 1;
      for (let i = 1; i <= last; i++) {
        if (!s.channelAllowed(argv[i]!, channels.pattern)) return { reason: 'channel', pos: i };
      }
    }
  }
  return undefined;
}

/** Whether a user may run a call (Redis's ACLCheckAllUserCommandPerm): undefined when allowed. */
export function checkUser(
  user: User,
  index: AclCommandIndex,
  spec: CommandSpec,
  argv: string[],
): Denial | undefined {
  const call = new CallView(index, spec, index.idOf(spec), argv);
  let relevant: Denial = { reason: 'command', pos: 0 };
  for (const s of user.selectors) {
    const denial = checkSelector(s, call);
    if (!denial) return undefined;
    const rank = RANK[denial.reason];
    const best = RANK[relevant.reason];
    if (rank > best || (rank === best && denial.pos > relevant.pos)) relevant = denial;
  }
  return relevant;
}
