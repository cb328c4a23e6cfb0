import type { CommandSpec } from './registry.js';
import { algebraCommands } from './sorted-sets/algebra.js';
import { basicCommands } from './sorted-sets/basic.js';
import { popCommands } from './sorted-sets/pop.js';
import { rangeCommands } from './sorted-sets/range.js';
import { samplingCommands } from './sorted-sets/sampling.js';

/** The sorted set commands (Redis's t_zset.c). */
export const sortedSetsCommands: CommandSpec[] = [
  ...basicCommands,
  ...rangeCommands,
  ...popCommands,
  ...algebraCommands,
  ...samplingCommands,
];
