import type { CommandSpec } from './registry.js';

export const hashesCommands: CommandSpec[] = [];
