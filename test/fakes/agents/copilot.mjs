#!/usr/bin/env node
// Mimics `copilot -p PROMPT -s`: the prompt is an argument, the answer plain text on stdout.
import { answerFor, argAfter, readStdin, record } from './mimic-lib.mjs';

const stdin = readStdin();
record(stdin);
process.stdout.write(answerFor(argAfter('-p') ?? '') + '\n');
