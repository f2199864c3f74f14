#!/usr/bin/env node
// Starts a grandchild that would run forever, writes its pid to $MIMIC_PIDFILE, then hangs itself.
import { spawn } from 'node:child_process';
import fs from 'node:fs';

const grandchild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
if (process.env.MIMIC_PIDFILE) fs.writeFileSync(process.env.MIMIC_PIDFILE, String(grandchild.pid));
setInterval(() => {}, 1000);
