import type { CommandSpec } from './registry.js';

export const setsCommands: CommandSpec[] = [];
