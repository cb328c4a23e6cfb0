import type { Session } from '../session.js';
import { reprString } from '../util/repr.js';

/**
 * The client description Redis puts in its log lines (catClientInfoString, as CLIENT LIST shows it),
 * with the query buffer the connection holds; socket-level fields the server does not track are 0.
 */
export function describeClient(s: Session, queryBufferBytes: number): string {
  const nowSeconds = Math.floor(s.engine.now() / 1000);
  const flags =
    (s.monitor ? 'O' : '') +
      (s.subscriptionCount > 0 ? 'P' : '') +
      (s.multi ? 'x' : '') +
      (s.blocked ? 'b' : '') +
      (s.tracking ? `t${s.tracking.brokenRedirect ? 'R' : ''}${s.tracking.bcast ? 'B' : ''}` : '') || 'N';
  const cmd = s.lastCommand ? s.engine.commands.fullName(s.lastCommand) : 'NULL';
  return (
    `id=${s.id} addr=${s.transport.remoteAddress ?? '?:0'} laddr=${s.transport.localAddress ?? '?:0'} fd=-1` +
    ` name=${s.name} age=${nowSeconds - Math.floor(s.createdAt / 1000)}` +
    ` idle=${nowSeconds - Math.floor(s.lastInteraction / 1000)} flags=${flags} db=${s.db.index}` +
    ` sub=${s.channels.size} psub=${s.patterns.size} ssub=${s.shardChannels.size} multi=${s.multi ? s.multi.length : -1}` +
    ` qbuf=${queryBufferBytes} qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0` +
    ` tot-mem=${queryBufferBytes} events=r cmd=${cmd} user=${s.user} redir=${s.tracking ? s.tracking.redirect : -1} resp=${s.protocol}`
  );
}

/** Redis's sdscatrepr: a double-quoted string with C escapes and \xHH for other non-printable bytes. */
export function reprBytes(bytes: Uint8Array): string {
  return reprString(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'));
}
