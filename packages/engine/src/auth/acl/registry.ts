import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { CommandSpec } from '../../commands/registry.js';
import { describe as describeClient } from '../../commands/server/client.js';
import type { Engine } from '../../engine.js';
import type { Session } from '../../session.js';
import { checkUser, type Denial } from './check.js';
import { AclCommandIndex } from './command-index.js';
import { AclLog, type LogContext } from './log.js';
import { channelInList, hasSpaces, RuleError } from './selector.js';
import { User } from './user.js';

export const NOPERM_KEY = 'NOPERM this user has no permissions to access one of the keys used as arguments';
export const NOPERM_CHANNEL =
  'NOPERM this user has no permissions to access one of the channels used as arguments';

/**
 * Merges a selector written over several arguments ("(+get", "~k*)") into one, as Redis does; returns the
 * index of an unclosed '(' argument instead when there is one.
 */
export function mergeSelectorArguments(args: readonly string[]): string[] | { unmatched: number } {
  const merged: string[] = [];
  let open = -1;
  let selector = '';
  for (let j = 0; j < args.length; j++) {
    const op = args[j]!;
    if (open < 0 && op[0] === '(' && op[op.length - 1] !== ')') {
      selector = op;
      open = j;
      continue;
    }
    if (open >= 0) {
      selector += ` ${op}`;
      if (op[op.length - 1] === ')') {
        open = -1;
        merged.push(selector);
      }
      continue;
    }
    merged.push(op);
  }
  return open >= 0 ? { unmatched: open } : merged;
}

/**
 * The ACL users of an engine, the default user tied to `requirepass`, permission checks and the ACL log.
 * While every user may run everything (`open`), dispatch skips the check with one boolean test.
 */
export class AclRegistry {
  readonly index: AclCommandIndex;
  readonly log = new AclLog();
  /** True while every user is allowed every command, key and channel. */
  open = true;
  private users = new Map<string, User>();
  private defaultUser: User;
  private requirepass = '';
  private configVersion = -1;

  constructor(
    private readonly engine: Engine,
    userLines: readonly string[] = [],
  ) {
    this.index = new AclCommandIndex(engine.commands);
    this.defaultUser = this.newDefaultUser();
    this.users.set('default', this.defaultUser);
    this.syncRequirepass();
    const aclfile = engine.config.get('aclfile');
    if (aclfile !== '' && userLines.length > 0) {
      throw new Error(
        'Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.',
      );
    }
    if (userLines.length > 0) this.loadConfiguredUsers(userLines);
    if (aclfile !== '') {
      const errors = this.loadFile();
      if (errors !== undefined) throw new Error(`Aborting Redis startup because of ACL errors: ${errors}`);
    }
    this.refresh();
  }

  private pubsubDefaultAll = () => this.engine.config.get('acl-pubsub-default') === 'allchannels';

  newUser(name: string): User {
    return new User(name, this.index, this.pubsubDefaultAll);
  }

  private newDefaultUser(): User {
    const u = this.newUser('default');
    for (const op of ['+@all', '~*', '&*', 'on', 'nopass']) u.apply(op);
    return u;
  }

  /** requirepass sets the default user's password (Redis's ACLUpdateDefaultUserPassword), applied lazily. */
  private syncRequirepass(): void {
    const config = this.engine.config;
    if (config.version === this.configVersion) return;
    this.configVersion = config.version;
    const password = config.get('requirepass');
    if (password === this.requirepass) return;
    this.requirepass = password;
    this.defaultUser.apply('resetpass');
    this.defaultUser.apply(password === '' ? 'nopass' : `>${password}`);
  }

  /** The default user, with requirepass applied. */
  get defaults(): User {
    this.syncRequirepass();
    return this.defaultUser;
  }

  user(name: string): User | undefined {
    this.syncRequirepass();
    return this.users.get(name);
  }

  /** User names in Redis's (byte) order. */
  names(): string[] {
    return [...this.users.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Recomputes the fast-path flag after any change to users. */
  refresh(): void {
    let open = true;
    for (const u of this.users.values()) if (!u.unrestricted) open = false;
    this.open = open;
  }

  /** AUTH / HELLO AUTH: on success the client is authenticated as the user; failures are logged. */
  authenticate(session: Session, name: string, password: string, commandName: string): boolean {
    const user = this.user(name);
    if (user?.enabled && user.checkPassword(password)) {
      session.authenticated = true;
      session.user = name;
      return true;
    }
    this.addLog(session, 'auth', session.multi ? 'multi' : 'toplevel', name, commandName, commandName, []);
    return false;
  }

  /** The user a client runs as (the default user if its own was removed meanwhile). */
  userOf(session: Session): User {
    return this.users.get(session.user) ?? this.defaultUser;
  }

  /** A user's verdict on a call, without logging (ACL DRYRUN, redis.acl_check_cmd). */
  verdict(user: User, spec: CommandSpec, argv: string[]): Denial | undefined {
    return checkUser(user, this.index, spec, argv);
  }

  /**
   * The dispatch check: undefined when allowed, else Redis's NOPERM error (the denial is logged).
   * A command refused inside MULTI for another reason (no_multi) is left to that check, as Redis orders it.
   */
  check(session: Session, spec: CommandSpec, argv: string[]): string | undefined {
    if (session.multi && spec.flags.includes('no_multi')) return undefined;
    const denial = this.deny(session, spec, argv, session.multi ? 'multi' : 'toplevel');
    if (!denial) return undefined;
    if (denial.reason === 'command') {
      return `NOPERM this user has no permissions to run the '${this.index.fullNames[this.index.idOf(spec)]}' command`;
    }
    return denial.reason === 'key' ? NOPERM_KEY : NOPERM_CHANNEL;
  }

  /** EXEC's re-check of a queued command (rules may have changed since it was queued). */
  checkQueued(session: Session, spec: CommandSpec, argv: string[]): string | undefined {
    const denial = this.deny(session, spec, argv, 'multi');
    if (!denial) return undefined;
    const reason =
      denial.reason === 'command'
        ? 'no permission to execute the command or subcommand'
        : denial.reason === 'key'
          ? 'no permission to touch the specified keys'
          : 'no permission to access one of the channels used as arguments';
    return `NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: ${reason}`;
  }

  /** redis.call / redis.pcall: the message a script's error carries, or undefined when allowed. */
  checkScript(session: Session, spec: CommandSpec, argv: string[]): string | undefined {
    const denial = this.deny(session, spec, argv, 'lua');
    if (!denial) return undefined;
    const what =
      denial.reason === 'command'
        ? "can't run this command or subcommand"
        : denial.reason === 'key'
          ? "can't access at least one of the keys mentioned in the command arguments"
          : "can't publish to the channel mentioned in the command";
    return `The user executing the script ${what}`;
  }

  private deny(session: Session, spec: CommandSpec, argv: string[], context: LogContext): Denial | undefined {
    const user = this.userOf(session);
    const denial = checkUser(user, this.index, spec, argv);
    if (denial) {
      const fullName = this.index.fullNames[this.index.idOf(spec)]!;
      const object = denial.reason === 'command' ? fullName : argv[denial.pos]!;
      this.addLog(session, denial.reason, context, user.name, object, fullName, argv);
    }
    return denial;
  }

  private addLog(
    session: Session,
    reason: Denial['reason'],
    context: LogContext,
    username: string,
    object: string,
    commandName: string,
    argv: string[],
  ): void {
    const clientInfo = describeClient(session, session, { name: commandName.toLowerCase(), argv });
    this.log.add(
      { reason, context, object, username, time: this.engine.clock.now(), clientInfo },
      this.engine.config.number('acllog-max-len'),
    );
  }

  /**
   * ACL SETUSER (Redis's ACLStringSetUser): all rules are tried on a copy first, so a bad one changes
   * nothing. Returns Redis's error text, or undefined. `current` is the client running the command.
   */
  setUser(name: string, args: readonly string[], current: Session | undefined): string | undefined {
    this.syncRequirepass();
    const merged = mergeSelectorArguments(args);
    if (!Array.isArray(merged)) {
      return `Unmatched parenthesis in acl selector starting at '${args[merged.unmatched]}'.`;
    }
    const existing = this.users.get(name);
    const staged = existing ? existing.clone() : this.newUser(name);
    for (const op of merged) {
      try {
        staged.apply(op);
      } catch (e) {
        if (!(e instanceof RuleError)) throw e;
        return `Error in ACL SETUSER modifier '${op}': ${e.message}`;
      }
    }
    if (existing) {
      this.killPubsubClientsIfNeeded(staged, existing, current);
      existing.copyFrom(staged);
    } else this.users.set(name, staged);
    this.refresh();
    return undefined;
  }

  /** ACL DELUSER: removes users and disconnects their clients. Returns how many existed. */
  deleteUsers(names: readonly string[], current: Session | undefined): number {
    let deleted = 0;
    for (const name of names) {
      if (!this.users.delete(name)) continue;
      deleted++;
      this.killClientsOf(name, current);
    }
    this.refresh();
    return deleted;
  }

  private killClientsOf(name: string, current: Session | undefined): void {
    for (const s of [...this.engine.sessions.values()]) {
      if (s.user !== name) continue;
      s.user = 'default';
      s.authenticated = false;
      if (s === current) s.closeAfterReply = true;
      else s.transport.close();
    }
  }

  /** Subscribers of a user whose channel permissions shrank lose their connection (as Redis 7.0). */
  private killPubsubClientsIfNeeded(next: User, original: User, current: Session | undefined): void {
    if (next.selectors.some((s) => s.allChannels)) return;
    const upcoming = next.selectors.flatMap((s) => s.channels);
    const superset = original.selectors.every(
      (s) => !s.allChannels && s.channels.every((c) => upcoming.includes(c)),
    );
    if (superset) return;
    for (const s of [...this.engine.sessions.values()]) {
      if (s.user !== original.name || s.subscriptionCount === 0) continue;
      let kill = false;
      for (const p of s.patterns) if (!channelInList(upcoming, p, true)) kill = true;
      for (const c of s.channels) if (!channelInList(upcoming, c, false)) kill = true;
      for (const c of s.shardChannels) if (!channelInList(upcoming, c, false)) kill = true;
      if (!kill) continue;
      if (s === current) s.closeAfterReply = true;
      else s.transport.close();
    }
  }

  /** `user` directives of the configuration (each a line "name rule rule …"), as Redis loads them at start. */
  private loadConfiguredUsers(lines: readonly string[]): void {
    const seen = new Set<string>();
    const parsed: Array<{ name: string; rules: string[] }> = [];
    for (const line of lines) {
      const argv = line.split(' ').filter((a) => a !== '');
      const name = argv[0] ?? '';
      if (seen.has(name)) {
        throw new Error(`Error in user declaration '${name}': ${new RuleError('EALREADY').message}`);
      }
      seen.add(name);
      const merged = mergeSelectorArguments(argv.slice(1));
      if (!Array.isArray(merged)) {
        throw new Error(`Error in user declaration '${argv[merged.unmatched + 1]}': Syntax error`);
      }
      const probe = this.newUser('probe');
      for (const op of merged) {
        try {
          probe.apply(op);
        } catch (e) {
          if (!(e instanceof RuleError) || e.code === 'ENOENT') continue;
          throw new Error(`Error in user declaration '${op}': ${e.message}`);
        }
      }
      parsed.push({ name, rules: merged });
    }
    for (const { name, rules } of parsed) {
      if (hasSpaces(name)) throw new Error('Spaces not allowed in ACL usernames');
      let user = this.users.get(name);
      if (user) user.apply('reset');
      else this.users.set(name, (user = this.newUser(name)));
      for (const op of rules) {
        try {
          user.apply(op);
        } catch (e) {
          if (!(e instanceof RuleError)) throw e;
          throw new Error(`Error loading ACL rule '${op}' for the user named '${name}': ${e.message}`);
        }
      }
    }
  }

  /** The aclfile path as configured (relative paths are taken from `dir`, where Redis runs). */
  private aclFilePath(): string {
    const file = this.engine.config.get('aclfile');
    return isAbsolute(file) ? file : join(this.engine.config.get('dir'), file);
  }

  /**
   * ACL LOAD (Redis's ACLLoadFromFile): every line must be `user <name> rules…`; with any error nothing
   * changes and the errors are returned in Redis's one-line form. Clients of replaced users are killed.
   */
  loadFile(current?: Session): string | undefined {
    const filename = this.engine.config.get('aclfile');
    let text: string;
    try {
      text = readFileSync(this.aclFilePath(), 'latin1');
    } catch (e) {
      const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : String(e);
      return `Error loading ACLs, opening file '${filename}': ${reason}`;
    }
    const users = new Map<string, User>();
    let errors = '';
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
      const linenum = i + 1;
      if (line === '') continue;
      const argv = line.split(' ');
      if (argv[0] !== 'user' || argv.length < 2) {
        errors += `${filename}:${linenum} should start with user keyword followed by the username. `;
        continue;
      }
      const name = argv[1]!;
      if (hasSpaces(name)) {
        errors += `'${filename}:${linenum}: username '${name}' contains invalid characters. `;
        continue;
      }
      if (users.has(name)) {
        errors += `WARNING: Duplicate user '${name}' found on line ${linenum}. `;
        continue;
      }
      const user = this.newUser(name);
      users.set(name, user);
      const merged = mergeSelectorArguments(argv.slice(2));
      if (!Array.isArray(merged)) {
        errors += `${filename}:${linenum}: Unmatched parenthesis in selector definition.`;
        continue;
      }
      let syntaxError = false;
      for (const raw of merged) {
        const op = raw.replace(/^[\t\r\n]+|[\t\r\n]+$/g, '');
        try {
          user.apply(op);
        } catch (e) {
          if (!(e instanceof RuleError)) throw e;
          if (e.code === 'ENOENT') {
            errors += `${filename}:${linenum}: Error in applying operation '${op}': ${e.message}. `;
          } else if (!syntaxError) {
            errors += `${filename}:${linenum}: ${e.message}. `;
            syntaxError = true;
          }
        }
      }
    }
    if (errors !== '') {
      return `${errors}WARNING: ACL errors detected, no change to the previously active ACL rules was performed`;
    }
    const old = this.users;
    const loadedDefault = users.get('default') ?? this.newDefaultUser();
    this.defaultUser.copyFrom(loadedDefault);
    users.set('default', this.defaultUser);
    this.users = users;
    for (const name of old.keys()) if (name !== 'default') this.killClientsOf(name, current);
    this.refresh();
    return undefined;
  }

  /** ACL SAVE: every user in ACL LIST's form, written to a temporary file then renamed over the ACL file. */
  saveFile(): boolean {
    let text = '';
    for (const name of this.names()) text += `user ${name} ${this.users.get(name)!.describe()}\n`;
    const path = this.aclFilePath();
    const temp = `${path}.tmp-${process.pid}-${this.engine.clock.now()}`;
    try {
      writeFileSync(temp, text, 'latin1');
      renameSync(temp, path);
      return true;
    } catch {
      try {
        unlinkSync(temp);
      } catch {}
      return false;
    }
  }
}
