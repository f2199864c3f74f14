#!/usr/bin/env node
// Exits non-zero after printing $MIMIC_STDERR (default: a plain failure) on stderr.
import { readStdin, record } from './mimic-lib.mjs';

record(readStdin());
process.stdout.write('partial output\n');
process.stderr.write(
  'starting up\n' + (process.env.MIMIC_STDERR ?? 'Error: the agent crashed (exit 3)') + '\n',
);
process.exit(3);
