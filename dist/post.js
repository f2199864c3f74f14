import { S as STATE, a as actionStore, p as parseIdentity, r as runnerHost } from './chunks/persist-DZtxSsYA.js';
import 'node:fs';
import 'node:fs/promises';
import 'node:path';
import './chunks/reader-B7nJbNtp.js';
import 'os';
import 'crypto';
import 'fs';
import 'path';
import 'http';
import 'https';
import 'net';
import 'tls';
import 'events';
import 'assert';
import 'util';
import 'node:assert';
import 'node:net';
import 'node:http';
import 'node:stream';
import 'node:buffer';
import 'node:util';
import 'node:querystring';
import 'node:events';
import 'node:diagnostics_channel';
import 'node:tls';
import 'node:zlib';
import 'node:perf_hooks';
import 'node:util/types';
import 'node:worker_threads';
import 'node:url';
import 'node:async_hooks';
import 'node:console';
import 'node:dns';
import 'string_decoder';
import 'child_process';
import 'timers';
import 'stream';
import 'url';
import 'buffer';
import 'node:os';
import 'node:process';
import 'node:https';
import 'node:module';
import 'node:crypto';
import 'tty';
import 'fs/promises';
import 'constants';
import 'node:string_decoder';
import 'zlib';

async function runPost(host) {
    const journalPath = host.getState(STATE.journal);
    if (!journalPath) {
        host.info('reprise: main never started a run; nothing to save');
        return;
    }
    if (host.getState(STATE.saved) === 'true') {
        host.info('reprise: the journal was saved by the main step');
        return;
    }
    host.info('reprise: the main step did not finish; saving what the journal holds for the next attempt');
    await actionStore(host).save({
        journalPath,
        cacheKey: host.getState(STATE.cacheKey),
        artifact: host.getState(STATE.artifact),
        identity: parseIdentity(host.getState(STATE.identity)),
    });
}

// Action entry point (post). Thin: the logic is in src/action/post.ts.
const host = runnerHost();
try {
    await runPost(host);
}
catch (caught) {
    // The post step only saves; it never fails the job.
    host.warning(`reprise post: ${caught instanceof Error ? caught.message : String(caught)}`);
}
process.exit();
