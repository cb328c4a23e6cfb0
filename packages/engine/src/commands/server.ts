import type { CommandSpec } from './registry.js';

export const serverCommands: CommandSpec[] = [];
