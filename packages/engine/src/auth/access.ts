import type { Engine } from '../engine.js';
import type { Session } from '../session.js';

/** The reply to any command but a `no_auth` one from a client that must authenticate first. */
export const NOAUTH_MESSAGE = 'NOAUTH Authentication required.';

/** HELLO without AUTH from a client that has not authenticated. */
export const HELLO_NOAUTH_MESSAGE =
  'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time';

export const WRONGPASS_MESSAGE = 'WRONGPASS invalid username-password pair or user is disabled.';

/** Written (raw) to a connection refused because maxclients clients are connected. */
export const MAX_CLIENTS_REPLY = '-ERR max number of clients reached\r\n';

/** Written (raw) to a non-loopback connection refused by protected mode. */
export const PROTECTED_MODE_REPLY =
  '-DENIED Redis is running in protected mode because protected mode is enabled and no password is set ' +
  'for the default user. In this mode connections are only accepted from the loopback interface. If you ' +
  'want to connect from external computers to Redis you may adopt one of the following solutions: ' +
  "1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback " +
  'interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis ' +
  'is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change ' +
  'permanent. 2) Alternatively you can just disable the protected mode by editing the Redis ' +
  "configuration file, and setting the protected mode option to 'no', and then restarting the server. " +
  "3) If you started the server manually just for testing, restart it with the '--protected-mode no' " +
  'option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one ' +
  'of the above things in order for the server to start accepting connections from the outside.\r\n';

/** Limits on what an unauthenticated client may send (Redis 7.0's processMultibulkBuffer). */
export const UNAUTHENTICATED_MAX_ARGS = 10;
export const UNAUTHENTICATED_MAX_BULK = 16384;
export const UNAUTHENTICATED_MULTIBULK_ERROR = 'ERR Protocol error: unauthenticated multibulk length';
export const UNAUTHENTICATED_BULK_ERROR = 'ERR Protocol error: unauthenticated bulk length';

/** True when the default user has a password (requirepass, or ACL rules), i.e. it is not "nopass". */
export function passwordRequired(engine: Engine): boolean {
  return !engine.acl.defaults.nopass;
}

/**
 * Whether this client must still authenticate (Redis's authRequired): only while the default user has a
 * password or is disabled. A client connected before requirepass was set stays authenticated.
 */
export function authRequired(session: Session): boolean {
  if (session.authenticated) return false;
  const user = session.engine.acl.defaults;
  return !user.nopass || !user.enabled;
}

/** What a new client starts as: authenticated unless the default user needs a password or is off. */
export function initiallyAuthenticated(engine: Engine): boolean {
  const user = engine.acl.defaults;
  return user.nopass && user.enabled;
}

/**
 * Checks a user/password pair (ACLAuthenticateUser): on success the client becomes authenticated as that
 * user, on failure its state is unchanged and the failure goes to the ACL log. `commandName` is argv[0].
 */
export function authenticate(
  session: Session,
  user: string,
  password: string,
  commandName = 'auth',
): boolean {
  return session.engine.acl.authenticate(session, user, password, commandName);
}

/**
 * The protocol error for a complete request from a client that must authenticate, as Redis checks each
 * multibulk header before running the command; undefined when the request is within the limits.
 * Inline requests are not limited (Redis checks only multibulk requests).
 */
export function unauthenticatedRequestError(argv: readonly string[]): string | undefined {
  if (argv.length > UNAUTHENTICATED_MAX_ARGS) return UNAUTHENTICATED_MULTIBULK_ERROR;
  for (const arg of argv) if (arg.length > UNAUTHENTICATED_MAX_BULK) return UNAUTHENTICATED_BULK_ERROR;
  return undefined;
}

/**
 * The same check for a request still arriving (its header already read): `argCount` is the declared
 * number of arguments, `bulkLength` the length of the argument being read (-1 between arguments).
 */
export function unauthenticatedPartialError(argCount: number, bulkLength: number): string | undefined {
  if (argCount > UNAUTHENTICATED_MAX_ARGS) return UNAUTHENTICATED_MULTIBULK_ERROR;
  if (bulkLength > UNAUTHENTICATED_MAX_BULK) return UNAUTHENTICATED_BULK_ERROR;
  return undefined;
}

/** True for an address on the loopback interface (Redis's islocalClient, with IPv4-mapped IPv6). */
export function isLoopbackAddress(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

/**
 * Protected mode: with `protected-mode yes` and no password for the default user, only loopback
 * clients are accepted. A connection without a remote address (a unix socket) counts as local.
 */
export function protectedModeRefuses(engine: Engine, remoteAddress: string | undefined): boolean {
  if (engine.config.get('protected-mode') !== 'yes' || passwordRequired(engine)) return false;
  return remoteAddress !== undefined && !isLoopbackAddress(remoteAddress);
}

/** maxclients: true when one more client would be over the limit. */
export function maxClientsReached(engine: Engine): boolean {
  return engine.sessions.size >= engine.config.number('maxclients');
}

/**
 * `timeout`: whether a client has been idle too long and must be closed. Blocked clients and pub/sub
 * subscribers never time out (as Redis's clientsCronHandleTimeout). Compared in whole seconds.
 */
export function idleTooLong(session: Session, nowMs: number): boolean {
  const timeout = session.engine.config.number('timeout');
  if (timeout <= 0 || session.blocked || session.subscriptionCount > 0) return false;
  return Math.floor(nowMs / 1000) - Math.floor(session.lastInteraction / 1000) > timeout;
}

/**
 * What a new TCP connection is refused with, if anything: maxclients first (checked before the client
 * exists), then protected mode, as Redis's accept handlers. Counts the refusal in rejected_connections.
 */
export function admissionRefusal(engine: Engine, remoteAddress: string | undefined): string | undefined {
  const refusal = maxClientsReached(engine)
    ? MAX_CLIENTS_REPLY
    : protectedModeRefuses(engine, remoteAddress)
      ? PROTECTED_MODE_REPLY
      : undefined;
  if (refusal) engine.stats.rejectedConnections++;
  return refusal;
}
