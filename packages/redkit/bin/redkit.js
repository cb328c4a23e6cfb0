#!/usr/bin/env node
// The `redkit` command. A committed launcher (not the build output) so npm links it at install time,
// before the prepare step has compiled dist/.
import '../dist/cli.js';
