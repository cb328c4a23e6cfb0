import type { Check, CheckStatus } from './checks.js';
import { formatBytes } from './options.js';
import type { DoctorReport, KeyDetail } from './report.js';

const n = (value: number) => Math.round(value).toLocaleString('en-US');

const MARK: Record<CheckStatus, string> = { ok: '✔ ok  ', warn: '▲ warn', fail: '✖ fail', unknown: '? n/a ' };
const COLOR: Record<CheckStatus, string> = { ok: '32', warn: '33', fail: '31', unknown: '90' };

/** The report as text for people; `color` adds ANSI colours (the CLI turns it on for a terminal). */
export function formatReport(report: DoctorReport, color = false): string {
  const paint = (code: string, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const bold = (text: string) => paint('1', text);
  const lines: string[] = [];
  const servers = [...new Set(report.nodes.map((node) => `${node.server} ${node.version}`))].join(', ');
  lines.push(
    bold(`redkit doctor: ${report.target}`) +
      (report.nodes.length > 0
        ? ` (${servers}${report.cluster ? `, Cluster of ${report.nodes.length} masters` : ''})`
        : ''),
  );
  const scan = report.scan;
  if (report.nodes.length > 0) {
    const dbs = [...new Set(scan.databases.map((d) => `db${d.db}`))].join(', ') || 'no keys';
    lines.push(
      `scanned ${n(scan.scanned)} of ${n(scan.keys)} keys (${dbs}) with SCAN in ${(report.durationMs / 1000).toFixed(1)} s` +
        (scan.partial ? '; sample limit reached, figures are extrapolated' : '') +
        (scan.memoryMeasure === 'memory-usage' ? '' : '; sizes estimated (no MEMORY USAGE on the server)'),
    );
  }

  lines.push('', bold('Checks'));
  const byNode = new Map<string, Check[]>();
  for (const check of report.checks) {
    const key = check.node === undefined ? '' : check.node;
    byNode.set(key, [...(byNode.get(key) ?? []), check]);
  }
  for (const [node, checks] of byNode) {
    const indent = report.cluster && node !== '' ? '    ' : '  ';
    if (report.cluster && node !== '') lines.push(`  ${bold(node)}`);
    for (const check of checks) {
      lines.push(
        `${indent}${paint(COLOR[check.status], MARK[check.status])}  ${bold(check.title)}: ${check.message}`,
      );
      if (check.advice && check.status !== 'ok') lines.push(`${indent}        → ${check.advice}`);
    }
  }

  if (scan.prefixes.length > 0) {
    lines.push('', bold(`Memory by prefix (top ${scan.prefixes.length})`));
    lines.push(
      ...table(
        ['prefix', 'keys', 'memory', 'no TTL', 'types'],
        scan.prefixes.map((p) => [
          p.prefix,
          n(p.keys),
          formatBytes(p.bytes),
          n(p.noTtlKeys),
          Object.keys(p.types).join(','),
        ]),
      ),
    );
  }
  if (scan.topKeys.length > 0) {
    lines.push('', bold('Biggest keys by memory'));
    lines.push(...table(['key', 'type', 'memory', 'length', 'TTL'], scan.topKeys.map(keyRow)));
  }
  const biggest = Object.values(scan.biggestByType);
  if (biggest.length > 0) {
    lines.push('', bold('Biggest key of each type'));
    lines.push(...table(['key', 'type', 'memory', 'length', 'TTL'], biggest.map(keyRow)));
  }

  const counts = (['fail', 'warn', 'ok', 'unknown'] as const)
    .map((s) => [s, report.checks.filter((c) => c.status === s).length] as const)
    .filter(([, count]) => count > 0)
    .map(([s, count]) => `${count} ${s === 'unknown' ? 'not applicable/unknown' : s}`);
  lines.push(
    '',
    `${paint(COLOR[report.status], bold(report.status.toUpperCase()))}: ${counts.join(', ')}; exit code ${report.exitCode}` +
      (report.strict
        ? ' (--strict: warnings fail)'
        : report.status === 'warn'
          ? ' (--strict makes warnings fail)'
          : ''),
  );
  return `${lines.join('\n')}\n`;
}

function keyRow(k: KeyDetail): string[] {
  const name = k.key.length > 60 ? `${k.key.slice(0, 57)}…` : k.key;
  return [
    name,
    k.type,
    formatBytes(k.bytes),
    `${n(k.length)}${k.type === 'string' ? ' B' : ''}`,
    k.ttlMs < 0 ? 'none' : `${n(k.ttlMs / 1000)} s`,
  ];
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)];
}
