import { basicListCommands } from './lists/basic.js';
import { blockingListCommands } from './lists/blocking.js';
import { moveListCommands } from './lists/move.js';
import type { CommandSpec } from './registry.js';

/** The LIST commands of Redis 7.0, blocking ones included. */
export const listsCommands: CommandSpec[] = [
  ...basicListCommands,
  ...moveListCommands,
  ...blockingListCommands,
];
