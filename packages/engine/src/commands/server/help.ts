import { errorArg, fail } from '../../resp/errors.js';
import { type Reply, StatusReply } from '../../resp/reply.js';

/** A HELP reply in Redis's layout: a header, the given lines, then HELP itself; one status per line. */
export function helpReply(command: string, lines: readonly string[]): Reply {
  return [
    `${command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`,
    ...lines,
    'HELP',
    '    Prints this help.',
  ].map((line) => new StatusReply(line));
}

/** Redis's reply when a subcommand gets arguments its parser does not accept. */
export function subcommandSyntaxError(argv: readonly string[], command: string): never {
  fail(
    `ERR unknown subcommand or wrong number of arguments for '${errorArg(argv[1]!.slice(0, 128))}'. Try ${command} HELP.`,
  );
}
