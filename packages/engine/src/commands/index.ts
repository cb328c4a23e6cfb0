import { persistenceCommands } from '../persistence/commands.js';
import { aclCommands } from './acl.js';
import { bitmapsCommands } from './bitmaps.js';
import { connectionCommands } from './connection.js';
import { geoCommands } from './geo.js';
import { hashesCommands } from './hashes.js';
import { hyperloglogCommands } from './hyperloglog.js';
import { keysCommands } from './keys.js';
import { listsCommands } from './lists.js';
import { memoryCommands } from './memory.js';
import { pubsubCommands } from './pubsub.js';
import type { CommandSpec } from './registry.js';
import { scriptingCommands } from './scripting.js';
import { serverCommands } from './server.js';
import { setsCommands } from './sets.js';
import { sortedSetsCommands } from './sorted-sets.js';
import { streamsCommands } from './streams.js';
import { stringsCommands } from './strings.js';
import { transactionsCommands } from './transactions.js';

/** Every command group; the CommandTable is built from this list once per engine. */
export const ALL_COMMANDS: CommandSpec[] = [
  ...connectionCommands,
  ...transactionsCommands,
  ...pubsubCommands,
  ...keysCommands,
  ...stringsCommands,
  ...bitmapsCommands,
  ...hyperloglogCommands,
  ...hashesCommands,
  ...listsCommands,
  ...setsCommands,
  ...sortedSetsCommands,
  ...geoCommands,
  ...streamsCommands,
  ...serverCommands,
  ...memoryCommands,
  ...scriptingCommands,
  ...persistenceCommands,
  ...aclCommands,
];
