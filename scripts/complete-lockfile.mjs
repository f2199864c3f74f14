#!/usr/bin/env node
// Adds lockfile entries for rollup's native packages of other platforms.
//
// The npm registry this project is developed against lacks those packages, so `npm install` here
// records only the linux-x64 ones, and `npm ci` then refuses the lockfile ("Missing: @rollup/rollup-…
// from lock file"). npm skips optional packages whose os/cpu do not match before fetching them, so an
// entry with the right version, os, cpu and libc is all `npm ci` needs. Run this after `npm install`.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;
let added = 0;
for (const [location, entry] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    if (!name.startsWith('@rollup/rollup-')) continue;
    const target = `${location ? `${location}/` : ''}node_modules/${name}`;
    if (packages[target]) continue;
    const [os, cpu, abi] = name.slice('@rollup/rollup-'.length).split('-');
    const libc = abi?.startsWith('gnu') ? 'glibc' : abi?.startsWith('musl') ? 'musl' : undefined;
    packages[target] = {
      version,
      cpu: [cpu],
      ...(entry.dev ? { dev: true } : {}),
      ...(libc ? { libc: [libc] } : {}),
      license: 'MIT',
      optional: true,
      os: [os],
    };
    added += 1;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
writeFileSync(path, JSON.stringify(lock, null, 2) + '\n');
console.log(`added ${added} lockfile entries for rollup's other-platform packages`);
