#!/usr/bin/env node
// Exits 0 after printing something that is not the JSON it was supposed to print.
process.stdout.write('Welcome to agent v0.0.1!\n<html><body>Internal Server Error</body></html>\n');
