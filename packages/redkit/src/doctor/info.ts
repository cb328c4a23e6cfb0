/** INFO's text (`# Section` headers, `name:value` lines) as one flat map of fields. */
export type InfoFields = ReadonlyMap<string, string>;

export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/** A numeric field, or undefined when the server does not report it. */
export function infoNumber(info: InfoFields, name: string): number | undefined {
  const raw = info.get(name);
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw.replace(/%$/, ''));
  return Number.isFinite(n) ? n : undefined;
}

export interface CommandStat {
  /** Lower-case command name; subcommands as Redis 7 writes them (`config|get`). */
  command: string;
  calls: number;
  usecPerCall: number;
}

/** `cmdstat_keys:calls=3,usec=40,usec_per_call=13.33,…` lines of INFO commandstats. */
export function commandStats(info: InfoFields): CommandStat[] {
  const stats: CommandStat[] = [];
  for (const [name, value] of info) {
    if (!name.startsWith('cmdstat_')) continue;
    const parts = new Map(value.split(',').map((kv) => kv.split('=') as [string, string]));
    stats.push({
      command: name.slice('cmdstat_'.length).toLowerCase(),
      calls: Number(parts.get('calls') ?? 0),
      usecPerCall: Number(parts.get('usec_per_call') ?? 0),
    });
  }
  return stats;
}

export interface KeyspaceDb {
  db: number;
  keys: number;
  expires: number;
}

/** `db0:keys=10,expires=2,avg_ttl=0` lines of INFO keyspace. */
export function keyspace(info: InfoFields): KeyspaceDb[] {
  const dbs: KeyspaceDb[] = [];
  for (const [name, value] of info) {
    const m = /^db(\d+)$/.exec(name);
    if (!m) continue;
    const parts = new Map(value.split(',').map((kv) => kv.split('=') as [string, string]));
    dbs.push({
      db: Number(m[1]),
      keys: Number(parts.get('keys') ?? 0),
      expires: Number(parts.get('expires') ?? 0),
    });
  }
  return dbs.sort((a, b) => a.db - b.db);
}

/** Error counts by code from INFO errorstats (`errorstat_OOM:count=3`). */
export function errorCount(info: InfoFields, code: string): number {
  const raw = info.get(`errorstat_${code}`);
  const m = raw ? /count=(\d+)/.exec(raw) : null;
  return m ? Number(m[1]) : 0;
}
