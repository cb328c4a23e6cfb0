import type { CommandSpec } from './registry.js';
import { basicStreamCommands } from './streams/basic.js';
import { groupStreamCommands } from './streams/groups.js';
import { infoStreamCommands } from './streams/info.js';
import { readStreamCommands } from './streams/read.js';

/** The STREAM commands of Redis 7.0, consumer groups and blocking reads included. */
export const streamsCommands: CommandSpec[] = [
  ...basicStreamCommands,
  ...readStreamCommands,
  ...groupStreamCommands,
  ...infoStreamCommands,
];
