import type { CommandSpec } from './registry.js';

export const listsCommands: CommandSpec[] = [];
