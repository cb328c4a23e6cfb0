import type { CommandSpec } from './registry.js';

export const sortedSetsCommands: CommandSpec[] = [];
