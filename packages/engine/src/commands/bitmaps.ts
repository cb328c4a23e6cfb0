import type { CommandSpec } from './registry.js';

export const bitmapsCommands: CommandSpec[] = [];
