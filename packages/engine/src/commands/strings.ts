import type { CommandSpec } from './registry.js';

export const stringsCommands: CommandSpec[] = [];
