import type { CommandSpec } from './registry.js';

export const keysCommands: CommandSpec[] = [];
