import { databaseCommands } from './keys/databases.js';
import { dumpRestoreCommands } from './keys/dump-restore.js';
import { expireCommands } from './keys/expire.js';
import { genericCommands } from './keys/generic.js';
import { iterationCommands } from './keys/iteration.js';
import { objectCommands } from './keys/object.js';
import { sortCommands } from './keys/sort.js';
import type { CommandSpec } from './registry.js';

/** The keyspace ("generic") commands: keys, expiry, databases, OBJECT and SORT. */
export const keysCommands: CommandSpec[] = [
  ...genericCommands,
  ...iterationCommands,
  ...expireCommands,
  ...objectCommands,
  ...databaseCommands,
  ...sortCommands,
  ...dumpRestoreCommands,
];
