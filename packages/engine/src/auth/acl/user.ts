import { createHash } from 'node:crypto';
import type { AclCommandIndex } from './command-index.js';
import { describeSelector } from './describe.js';
import { RuleError, Selector } from './selector.js';

/** SHA-256 hex of a password (bytes as the engine's binary strings). */
export function hashPassword(password: string): string {
  return createHash('sha256').update(Buffer.from(password, 'latin1')).digest('hex');
}

const HASH = /^[0-9a-f]{64}$/;

/** An ACL user: flags, password hashes, the root selector and any further selectors. */
export class User {
  enabled = false;
  nopass = false;
  /** undefined until skip-sanitize-payload / sanitize-payload is given (Redis shows neither then). */
  sanitizePayload: boolean | undefined;
  passwords: string[] = [];
  selectors: Selector[];
  private description: string | undefined;

  constructor(
    readonly name: string,
    readonly index: AclCommandIndex,
    private readonly pubsubDefaultAll: () => boolean,
  ) {
    this.selectors = [new Selector(index, true, pubsubDefaultAll())];
  }

  get root(): Selector {
    return this.selectors[0]!;
  }

  /** A user that may do anything: one selector with every command, key and channel. */
  get unrestricted(): boolean {
    const root = this.root;
    return root.allCommands && root.allKeys && root.allChannels;
  }

  copyFrom(other: User): void {
    this.enabled = other.enabled;
    this.nopass = other.nopass;
    this.sanitizePayload = other.sanitizePayload;
    this.passwords = [...other.passwords];
    this.selectors = other.selectors.map((s) => s.copy());
    this.description = undefined;
  }

  clone(name = this.name): User {
    const u = new User(name, this.index, this.pubsubDefaultAll);
    u.copyFrom(this);
    return u;
  }

  /** Applies one rule (Redis's ACLSetUser); throws RuleError. */
  apply(op: string): void {
    this.description = undefined;
    if (op === '') return;
    const lower = op.toLowerCase();
    if (lower === 'on') this.enabled = true;
    else if (lower === 'off') this.enabled = false;
    else if (lower === 'skip-sanitize-payload') this.sanitizePayload = false;
    else if (lower === 'sanitize-payload') this.sanitizePayload = true;
    else if (lower === 'nopass') {
      this.nopass = true;
      this.passwords = [];
    } else if (lower === 'resetpass') {
      this.nopass = false;
      this.passwords = [];
    } else if (op[0] === '>' || op[0] === '#') {
      const hash = op[0] === '>' ? hashPassword(op.slice(1)) : op.slice(1);
      if (op[0] === '#' && !HASH.test(hash)) throw new RuleError('EBADMSG');
      if (!this.passwords.includes(hash)) this.passwords.push(hash);
      this.nopass = false;
    } else if (op[0] === '<' || op[0] === '!') {
      const hash = op[0] === '<' ? hashPassword(op.slice(1)) : op.slice(1);
      if (op[0] === '!' && !HASH.test(hash)) throw new RuleError('EBADMSG');
      const at = this.passwords.indexOf(hash);
      if (at < 0) throw new RuleError('ENODEV');
      this.passwords.splice(at, 1);
    } else if (op[0] === '(' && op[op.length - 1] === ')') {
      const selector = new Selector(this.index, false, this.pubsubDefaultAll());
      for (const part of op.slice(1, -1).split(/[ \t\n\r\f\v]+/)) if (part !== '') selector.apply(part);
      this.selectors.push(selector);
    } else if (lower === 'clearselectors') {
      this.selectors = [this.root];
    } else if (lower === 'reset') {
      this.apply('resetpass');
      this.apply('resetkeys');
      this.apply('resetchannels');
      if (this.pubsubDefaultAll()) this.apply('allchannels');
      this.apply('off');
      this.apply('sanitize-payload');
      this.apply('clearselectors');
      this.apply('-@all');
    } else this.root.apply(op);
  }

  /** True when the password is one of the user's (or the user needs none). */
  checkPassword(password: string): boolean {
    if (this.nopass) return true;
    return this.passwords.includes(hashPassword(password));
  }

  /** The flags ACL GETUSER lists, in Redis's order. */
  flags(): string[] {
    const flags = [this.enabled ? 'on' : 'off'];
    if (this.nopass) flags.push('nopass');
    if (this.sanitizePayload === false) flags.push('skip-sanitize-payload');
    if (this.sanitizePayload === true) flags.push('sanitize-payload');
    return flags;
  }

  /** The rules after the name in ACL LIST (cached until the next change). */
  describe(): string {
    if (this.description !== undefined) return this.description;
    let out = '';
    for (const flag of this.flags()) out += `${flag} `;
    for (const hash of this.passwords) out += `#${hash} `;
    out += describeSelector(this.root);
    for (let i = 1; i < this.selectors.length; i++) out += ` (${describeSelector(this.selectors[i]!)})`;
    this.description = out;
    return out;
  }
}
