import { BlockList, isIP } from 'node:net';
import { RedkitConfigError } from '../../errors.js';

/**
 * Which proxies in front of the app may be believed about the client's address, as Express's
 * 'trust proxy' setting: `true` (every hop: only behind a proxy that overwrites X-Forwarded-For), a hop
 * count, addresses or CIDR ranges (and the presets 'loopback', 'linklocal', 'uniquelocal'), or a function
 * of an address and its hop (0 = the socket's peer).
 */
export type TrustProxy =
  | boolean
  | number
  | string
  | readonly string[]
  | ((address: string, hop: number) => boolean);

const PRESETS: Record<string, string[]> = {
  loopback: ['127.0.0.1/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** '::ffff:1.2.3.4' → '1.2.3.4'; a zone id (`fe80::1%eth0`) dropped; lower case. */
export function normalizeAddress(address: string): string {
  let a = address.trim().toLowerCase();
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  if (a.startsWith('::ffff:') && isIP(a.slice(7)) === 4) a = a.slice(7);
  return a;
}

/** The eight 16-bit groups of an IPv6 address (IPv4 tail included), or undefined. */
function ipv6Groups(address: string): number[] | undefined {
  if (isIP(address) !== 6) return undefined;
  let text = address;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (isIP(tail) === 4) {
    const [a, b, c, d] = tail.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  const zeros = rest === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...new Array<number>(zeros).fill(0), ...right];
}

/**
 * The rate-limit identity of an address: IPv4 as is; IPv6 reduced to its `/subnet` prefix, because one
 * client usually holds a whole /64 or /56 and could otherwise change address at every request.
 */
export function addressKey(address: string, ipv6Subnet: number | false): string {
  const a = normalizeAddress(address);
  if (ipv6Subnet === false) return a;
  const groups = ipv6Groups(a);
  if (!groups) return a;
  const masked = groups.map((group, i) => {
    const bits = Math.min(16, Math.max(0, ipv6Subnet - i * 16));
    return bits === 0 ? 0 : group & ((0xffff << (16 - bits)) & 0xffff);
  });
  return `${masked.map((g) => g.toString(16)).join(':')}/${ipv6Subnet}`;
}

export function checkIpv6Subnet(subnet: number | false): number | false {
  if (subnet !== false && !(Number.isInteger(subnet) && subnet >= 1 && subnet <= 128)) {
    throw new RedkitConfigError(
      `ipv6Subnet must be an integer from 1 to 128 (56 by default), or false to key by the full address; got ${subnet}`,
    );
  }
  return subnet;
}

/** A predicate for a TrustProxy setting. */
export function compileTrust(trust: TrustProxy): (address: string, hop: number) => boolean {
  if (typeof trust === 'function') return trust;
  if (trust === true) return () => true;
  if (trust === false) return () => false;
  if (typeof trust === 'number') {
    if (!Number.isInteger(trust) || trust < 0) {
      throw new RedkitConfigError(`trustProxy as a number is a hop count (an integer ≥ 0), got ${trust}`);
    }
    return (_, hop) => hop < trust;
  }
  const entries = (typeof trust === 'string' ? trust.split(',') : [...trust])
    .map((e) => e.trim())
    .filter(Boolean);
  const list = new BlockList();
  for (const entry of entries.flatMap((e) => PRESETS[e] ?? [e])) {
    const [ip, bits] = entry.split('/') as [string, string | undefined];
    const family = isIP(normalizeAddress(ip));
    if (family === 0) {
      throw new RedkitConfigError(
        `trustProxy entry '${entry}' is not an address, a CIDR range or one of ${Object.keys(PRESETS).join(', ')}`,
      );
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) {
      throw new RedkitConfigError(`trustProxy entry '${entry}' has an invalid prefix length`);
    }
    list.addSubnet(normalizeAddress(ip), prefix, type);
  }
  return (address) => {
    const a = normalizeAddress(address);
    const family = isIP(a);
    return family !== 0 && list.check(a, family === 4 ? 'ipv4' : 'ipv6');
  };
}

/**
 * The client's address: walking from the socket's peer back through X-Forwarded-For (right to left), the
 * first address that is not a trusted proxy. Without trust, always the socket's peer: a client can write
 * any X-Forwarded-For it likes, so the header is only believed as far as trusted proxies vouch for it.
 */
export function forwardedClientAddress(
  socketAddress: string,
  forwardedFor: string | null | undefined,
  trusted: (address: string, hop: number) => boolean,
): string {
  const chain = [normalizeAddress(socketAddress)];
  if (forwardedFor) {
    const hops = forwardedFor.split(',').map((a) => a.trim());
    for (let i = hops.length - 1; i >= 0; i--) chain.push(normalizeAddress(hops[i]!));
  }
  for (let hop = 0; hop < chain.length - 1; hop++) {
    if (!trusted(chain[hop]!, hop)) return chain[hop]!;
    if (isIP(chain[hop + 1]!) === 0) return chain[hop]!; // garbage beyond a trusted proxy: stop at the proxy
  }
  return chain[chain.length - 1]!;
}
