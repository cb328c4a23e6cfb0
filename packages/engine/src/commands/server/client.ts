import { errorArg, fail, NOT_INTEGER, SYNTAX } from '../../resp/errors.js';
import { ErrorReply, MapReply, OK, type Reply, SetReply, VerbatimReply } from '../../resp/reply.js';
import type { Session } from '../../session.js';
import { parseInt64 } from '../../util/numbers.js';
import { parseTimeoutMillis } from '../lists/timeout.js';
import { type CommandFlag, type CommandSpec, command, NO_REPLY } from '../registry.js';
import { helpReply, subcommandSyntaxError } from './help.js';

/** Peers on loopback, and in-process clients, count as local (enable-*-command "local", protected configs). */
export function isLocalSession(c: Session): boolean {
  const addr = c.transport.remoteAddress;
  if (addr === undefined) return true;
  return (
    addr.startsWith('127.') ||
    addr.startsWith('[::1]') ||
    addr.startsWith('::1') ||
    addr.startsWith('::ffff:127.')
  );
}

const peerAddress = (s: Session) => s.transport.remoteAddress ?? '?:0';
const localAddress = (s: Session) => s.transport.localAddress ?? '?:0';

type ClientType = 'normal' | 'pubsub' | 'slave' | 'master';

/** Redis's client type names (replica is an alias of slave). */
function clientType(name: string): ClientType {
  const t = name.toLowerCase();
  if (t === 'normal' || t === 'pubsub' || t === 'slave' || t === 'master') return t;
  if (t === 'replica') return 'slave';
  fail(`ERR Unknown client type '${errorArg(name)}'`);
}

const typeOf = (s: Session): ClientType => (s.subscriptionCount > 0 ? 'pubsub' : 'normal');

function flagsOf(s: Session): string {
  let flags = s.monitor ? 'O' : '';
  if (s.subscriptionCount > 0) flags += 'P';
  if (s.multi) flags += 'x';
  if (s.blocked) flags += 'b';
  const tracking = s.tracking;
  if (tracking) {
    flags += 't';
    if (tracking.brokenRedirect) flags += 'R';
    if (tracking.bcast) flags += 'B';
  }
  if (s.watchDirty) flags += 'd';
  if (s.closeAfterReply) flags += 'c';
  if (s.noEvict) flags += 'e';
  return flags || 'N';
}

const argvBytes = (argv: readonly string[]) => argv.reduce((n, a) => n + a.length, 0);

/**
 * One CLIENT LIST line, with Redis 7.0's fields in its order. The engine keeps no socket buffers, so
 * qbuf, rbs, obl and the like are 0, and fd is -1 (transports do not expose descriptors). lib-name and
 * lib-ver (Redis 7.2) follow only once CLIENT SETINFO has set them.
 */
export function describe(c: Session, s: Session, current?: { name: string; argv: string[] }): string {
  const nowSeconds = Math.floor(c.now() / 1000);
  const argvMem = current ? argvBytes(current.argv) : 0;
  const multiMem = s.multi ? s.multi.reduce((n, q) => n + argvBytes(q.argv), 0) : 0;
  const cmd = current ? current.name : s.lastCommand ? c.engine.commands.fullName(s.lastCommand) : 'NULL';
  let line =
    `id=${s.id} addr=${peerAddress(s)} laddr=${localAddress(s)} fd=-1 name=${s.name}` +
    ` age=${nowSeconds - Math.floor(s.createdAt / 1000)} idle=${nowSeconds - Math.floor(s.lastInteraction / 1000)}` +
    ` flags=${flagsOf(s)} db=${s.db.index} sub=${s.channels.size} psub=${s.patterns.size} ssub=${s.shardChannels.size}` +
    ` multi=${s.multi ? s.multi.length : -1} qbuf=0 qbuf-free=0 argv-mem=${argvMem} multi-mem=${multiMem}` +
    ` rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=${argvMem + multiMem}` +
    ` events=${s.transport.remoteAddress === undefined ? '' : 'r'} cmd=${cmd} user=${s.user} redir=${s.tracking ? s.tracking.redirect : -1} resp=${s.protocol}`;
  if (s.libName || s.libVersion) line += ` lib-name=${s.libName} lib-ver=${s.libVersion}`;
  return line;
}

/** Names and SETINFO values must be printable ASCII without spaces, so CLIENT LIST stays parseable. */
const printable = (value: string) => /^[\x21-\x7e]*$/.test(value);

function list(c: Session, argv: string[]): Reply {
  let sessions: Session[];
  if (argv.length === 4 && argv[2]!.toLowerCase() === 'type') {
    const type = clientType(argv[3]!);
    sessions = [...c.engine.sessions.values()].filter((s) => typeOf(s) === type);
  } else if (argv.length > 3 && argv[2]!.toLowerCase() === 'id') {
    sessions = [];
    for (let i = 3; i < argv.length; i++) {
      const id = parseInt64(argv[i]!);
      if (id === null) fail('ERR Invalid client ID');
      const s = c.engine.sessions.get(Number(id));
      if (s) sessions.push(s);
    }
  } else if (argv.length !== 2) fail(SYNTAX);
  else sessions = [...c.engine.sessions.values()];
  let text = '';
  for (const s of sessions)
    text += `${describe(c, s, s === c ? { name: 'client|list', argv } : undefined)}\n`;
  return new VerbatimReply(text);
}

function kill(c: Session, argv: string[]): Reply {
  let addr: string | undefined;
  let laddr: string | undefined;
  let type: ClientType | undefined;
  let id: number | undefined;
  let user: string | undefined;
  let skipMe = true;
  const oldForm = argv.length === 3;
  if (oldForm) {
    addr = argv[2]!;
    skipMe = false; // the old form may kill the caller
  } else {
    for (let i = 2; i < argv.length; i += 2) {
      const option = argv[i]!.toLowerCase();
      const value = argv[i + 1];
      if (value === undefined) fail(SYNTAX);
      if (option === 'id') {
        const n = parseInt64(value);
        if (n === null || n < 1n) fail('ERR client-id should be greater than 0');
        id = Number(n);
      } else if (option === 'type') type = clientType(value);
      else if (option === 'addr') addr = value;
      else if (option === 'laddr') laddr = value;
      else if (option === 'user') {
        if (!c.engine.acl.user(value)) fail(`ERR No such user '${errorArg(value)}'`);
        user = value;
      } else if (option === 'skipme') {
        const v = value.toLowerCase();
        if (v !== 'yes' && v !== 'no') fail(SYNTAX);
        skipMe = v === 'yes';
      } else fail(SYNTAX);
    }
  }
  const victims = [...c.engine.sessions.values()].filter(
    (s) =>
      (addr === undefined || peerAddress(s) === addr) &&
      (laddr === undefined || localAddress(s) === laddr) &&
      (type === undefined || typeOf(s) === type) &&
      (id === undefined || s.id === id) &&
      (user === undefined || s.user === user) &&
      !(s === c && skipMe),
  );
  for (const s of victims) {
    // The caller still gets this reply; its connection closes right after.
    if (s === c) c.closeAfterReply = true;
    else s.transport.close();
  }
  if (oldForm) {
    if (victims.length === 0) fail('ERR No such client');
    return OK;
  }
  return victims.length;
}

function reply(c: Session, argv: string[]): Reply | typeof NO_REPLY {
  const mode = argv[2]!.toLowerCase();
  if (mode === 'on') {
    c.replyMode = 'on';
    return OK;
  }
  if (mode === 'off') c.replyMode = 'off';
  else if (mode === 'skip') {
    if (c.replyMode !== 'off') c.replyMode = 'skip';
  } else fail(SYNTAX);
  return NO_REPLY;
}

function noEvict(c: Session, argv: string[]): Reply {
  const mode = argv[2]!.toLowerCase();
  if (mode !== 'on' && mode !== 'off') fail(SYNTAX);
  c.noEvict = mode === 'on';
  return OK;
}

function unblock(c: Session, argv: string[]): Reply {
  let asError = false;
  if (argv.length === 4) {
    const reason = argv[3]!.toLowerCase();
    if (reason === 'error') asError = true;
    else if (reason !== 'timeout') fail('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
  }
  if (argv.length > 4) subcommandSyntaxError(argv, 'CLIENT');
  const id = parseInt64(argv[2]!);
  if (id === null) fail(NOT_INTEGER);
  const target = c.engine.sessions.get(Number(id));
  if (!target?.blocked) return 0;
  const engine = c.engine;
  let answer: Reply | undefined = engine.blocking.timeoutReplyOf(target);
  if (asError) {
    const error = new ErrorReply('UNBLOCKED client unblocked via CLIENT UNBLOCK');
    engine.stats.countError(error.message);
    answer = error;
  }
  if (!engine.blocking.unblock(target, answer)) return 0;
  // Redis 7.0 counts an unblocked command as failed, whichever way it was unblocked.
  if (target.lastCommand) engine.stats.commandStats(engine.commands.fullName(target.lastCommand)).failed++;
  return 1;
}

function setName(c: Session, argv: string[]): Reply {
  const name = argv[2]!;
  if (!printable(name)) fail('ERR Client names cannot contain spaces, newlines or special characters.');
  c.name = name;
  return OK;
}

/** CLIENT SETINFO arrived in Redis 7.2; the engine accepts it so that newer client libraries can use it. */
function setInfo(c: Session, argv: string[]): Reply {
  const attribute = argv[2]!;
  const value = argv[3]!;
  const which = attribute.toLowerCase();
  if (which !== 'lib-name' && which !== 'lib-ver') fail(`ERR Unrecognized option '${errorArg(attribute)}'`);
  if (!printable(value)) fail(`ERR ${attribute} cannot contain spaces, newlines or special characters.`);
  if (which === 'lib-name') c.libName = value;
  else c.libVersion = value;
  return OK;
}

/** CLIENT PAUSE validates its arguments as Redis does, but the engine does not hold clients back. */
function pause(_c: Session, argv: string[]): Reply {
  if (argv.length > 4) subcommandSyntaxError(argv, 'CLIENT');
  if (argv.length === 4) {
    const mode = argv[3]!.toLowerCase();
    if (mode !== 'write' && mode !== 'all') fail('ERR CLIENT PAUSE mode must be WRITE or ALL');
  }
  parseTimeoutMillis(argv[2]!);
  return OK;
}

function trackingInfo(c: Session): Reply {
  const t = c.tracking;
  if (!t) return new MapReply(['flags', new SetReply(['off']), 'redirect', -1, 'prefixes', []]);
  const flags: Reply[] = ['on'];
  if (t.bcast) flags.push('bcast');
  if (t.optin) flags.push('optin');
  if (t.optin && t.caching) flags.push('caching-yes');
  if (t.optout) flags.push('optout');
  if (t.optout && t.caching) flags.push('caching-no');
  if (t.noloop) flags.push('noloop');
  if (t.brokenRedirect) flags.push('broken_redirect');
  // Redis keeps a client's prefixes in a radix tree: byte order.
  const prefixes = [...t.prefixes].sort();
  return new MapReply(['flags', new SetReply(flags), 'redirect', t.redirect, 'prefixes', prefixes]);
}

const stringCheckPrefix = (a: string, b: string) =>
  a.length <= b.length ? b.startsWith(a) : a.startsWith(b);

/** Redis prints prefixes in these errors with %s: they end at a NUL byte. */
const cString = (s: string) => {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
};

/** CLIENT TRACKING ON|OFF [REDIRECT id] [BCAST] [PREFIX p …] [OPTIN] [OPTOUT] [NOLOOP], as Redis checks it. */
function tracking(c: Session, argv: string[]): Reply {
  const options = { redirect: 0, bcast: false, optin: false, optout: false, noloop: false };
  const prefixes: string[] = [];
  for (let j = 3; j < argv.length; j++) {
    const option = argv[j]!.toLowerCase();
    const more = j < argv.length - 1;
    if (option === 'redirect' && more) {
      j++;
      if (options.redirect !== 0) fail('ERR A client can only redirect to a single other client');
      const id = parseInt64(argv[j]!);
      if (id === null) fail(NOT_INTEGER);
      if (!c.engine.sessions.has(Number(id)) || id < 1n)
        fail('ERR The client ID you want redirect to does not exist');
      options.redirect = Number(id);
    } else if (option === 'bcast') options.bcast = true;
    else if (option === 'optin') options.optin = true;
    else if (option === 'optout') options.optout = true;
    else if (option === 'noloop') options.noloop = true;
    else if (option === 'prefix' && more) prefixes.push(argv[++j]!);
    else fail(SYNTAX);
  }
  const mode = argv[2]!.toLowerCase();
  if (mode === 'off') {
    c.engine.tracking.disable(c);
    return OK;
  }
  if (mode !== 'on') fail(SYNTAX);
  const current = c.tracking;
  if (!options.bcast && prefixes.length > 0) fail('ERR PREFIX option requires BCAST mode to be enabled');
  if (current && current.bcast !== options.bcast) {
    fail(
      "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.",
    );
  }
  if (options.bcast && (options.optin || options.optout))
    fail('ERR OPTIN and OPTOUT are not compatible with BCAST');
  if (options.optin && options.optout) fail("ERR You can't specify both OPTIN mode and OPTOUT mode");
  if ((options.optin && current?.optout) || (options.optout && current?.optin)) {
    fail(
      "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.",
    );
  }
  let lateError: ErrorReply | undefined;
  if (options.bcast) lateError = checkPrefixCollisions(c, prefixes);
  c.engine.tracking.enable(c, options, prefixes);
  if (lateError === undefined) return OK;
  // Redis 7.0 answers an overlap found after the first given prefix with the error and then OK, and
  // enables tracking with every prefix: both replies are sent, in that order.
  c.deferPush(OK);
  return lateError;
}

/**
 * Prefixes of one client must not overlap (each other, or the ones it has). An overlap among the given
 * prefixes found at the first one fails the command; found later, Redis 7.0 reports it yet goes on
 * (see the caller): that error is returned here.
 */
function checkPrefixCollisions(c: Session, prefixes: string[]): ErrorReply | undefined {
  const existing = c.tracking ? [...c.tracking.prefixes].sort() : [];
  for (let i = 0; i < prefixes.length; i++) {
    const prefix = prefixes[i]!;
    for (const have of existing) {
      if (stringCheckPrefix(have, prefix)) {
        fail(
          `ERR Prefix '${cString(prefix)}' overlaps with an existing prefix '${cString(have)}'. Prefixes for a single client must not overlap.`,
        );
      }
    }
    for (let j = i + 1; j < prefixes.length; j++) {
      if (!stringCheckPrefix(prefix, prefixes[j]!)) continue;
      const message = `ERR Prefix '${cString(prefix)}' overlaps with another provided prefix '${cString(prefixes[j]!)}'. Prefixes for a single client must not overlap.`;
      if (i === 0) fail(message);
      return new ErrorReply(message);
    }
  }
  return undefined;
}

function caching(c: Session, argv: string[]): Reply {
  const t = c.tracking;
  if (!t) {
    fail(
      'ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled',
    );
  }
  const mode = argv[2]!.toLowerCase();
  if (mode === 'yes') {
    if (!t.optin) fail('ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.');
  } else if (mode === 'no') {
    if (!t.optout) fail('ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.');
  } else fail(SYNTAX);
  t.caching = true;
  return OK;
}

const CLIENT_HELP = [
  'CACHING (YES|NO)',
  '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO',
  '    Report tracking status for the current connection.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
];

const USER: readonly CommandFlag[] = ['noscript', 'loading', 'stale'];
const ADMIN: readonly CommandFlag[] = ['admin', 'noscript', 'loading', 'stale'];
const sub = (
  name: string,
  arity: number,
  flags: readonly CommandFlag[],
  handler: (c: Session, argv: string[]) => Reply | typeof NO_REPLY,
  since: string,
  summary: string,
  complexity = 'O(1)',
) =>
  command(
    name,
    arity,
    flags,
    [0, 0, 0],
    flags.includes('admin') ? ['admin', 'slow', 'dangerous', 'connection'] : ['slow', 'connection'],
    handler,
    { group: 'connection', since, summary, complexity },
  );

export const clientCommand: CommandSpec = {
  ...command('client', -2, [], [0, 0, 0], ['slow'], () => null, {
    group: 'connection',
    since: '2.4.0',
    summary: 'A container for client connection commands.',
    complexity: 'Depends on subcommand.',
  }),
  subcommands: [
    sub('id', 2, USER, (c) => c.id, '5.0.0', 'Returns the unique id of the connection.'),
    sub(
      'info',
      2,
      USER,
      (c, argv) => new VerbatimReply(`${describe(c, c, { name: 'client|info', argv })}\n`),
      '6.2.0',
      'Describes the connection.',
    ),
    sub(
      'list',
      -2,
      ADMIN,
      list,
      '2.4.0',
      'Describes all client connections.',
      'O(N) where N is the number of connections',
    ),
    sub(
      'kill',
      -3,
      ADMIN,
      kill,
      '2.4.0',
      'Closes client connections.',
      'O(N) where N is the number of connections',
    ),
    sub('setname', 3, USER, setName, '2.6.9', 'Names the connection.'),
    sub('getname', 2, USER, (c) => c.name || null, '2.6.9', 'Returns the name of the connection.'),
    sub(
      'setinfo',
      4,
      USER,
      setInfo,
      '7.2.0',
      'Records the client library name or version for the connection.',
    ),
    sub('reply', 3, USER, reply, '3.2.0', 'Turns the replies to the connection on or off.'),
    sub('no-evict', 3, ADMIN, noEvict, '7.0.0', 'Protects the connection from client eviction.'),
    sub(
      'unblock',
      -3,
      ADMIN,
      unblock,
      '5.0.0',
      'Unblocks a client blocked by a blocking command.',
      'O(log N) where N is the number of connections',
    ),
    sub(
      'pause',
      -3,
      ADMIN,
      pause,
      '2.9.50',
      'Suspends commands of clients (accepted, without effect in the engine).',
    ),
    sub(
      'unpause',
      2,
      ADMIN,
      () => OK,
      '6.2.0',
      'Resumes suspended clients.',
      'O(N) where N is the number of paused clients',
    ),
    sub(
      'getredir',
      2,
      USER,
      (c) => (c.tracking ? c.tracking.redirect : -1),
      '6.0.0',
      'Returns the id of the client receiving tracking notifications.',
    ),
    sub(
      'trackinginfo',
      2,
      USER,
      trackingInfo,
      '6.2.0',
      'Describes the client-side caching state of the connection.',
    ),
    sub('caching', 3, USER, caching, '6.0.0', 'Controls client-side caching of the next command.'),
    sub(
      'tracking',
      -3,
      USER,
      tracking,
      '6.0.0',
      'Controls server-assisted client-side caching for the connection.',
      'O(1). Some options may introduce additional complexity.',
    ),
    command(
      'help',
      2,
      ['loading', 'stale'],
      [0, 0, 0],
      ['slow', 'connection'],
      () => helpReply('CLIENT', CLIENT_HELP),
      {
        group: 'connection',
        since: '5.0.0',
        summary: 'Shows help about the CLIENT subcommands.',
        complexity: 'O(1)',
      },
    ),
  ],
};
