// A local stand-in for the GitHub Actions results service (cache v2 and artifacts v4 Twirp
// APIs), good enough that the unmodified @actions/cache and @actions/artifact run against it.
// Blobs go to Azurite through SAS URLs, exactly as the real service hands out Azure URLs.
import {
  BlobSASPermissions,
  BlobServiceClient,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
  type ContainerClient,
} from '@azure/storage-blob';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type Azurite } from './azurite.js';
import {
  buildRunnerEnv,
  defaultRunBackendId,
  verifyRuntimeToken,
  type RunnerEnvOptions,
  type RuntimeTokenClaims,
} from './runner-env.js';

export {
  applyRunnerEnv,
  inputEnv,
  parseFileCommands,
  readOutputFile,
  readStateFile,
  stateEnv,
  type RunnerEnvOptions,
} from './runner-env.js';

const CACHE_SERVICE = 'github.actions.results.api.v1.CacheService';
const ARTIFACT_SERVICE = 'github.actions.results.api.v1.ArtifactService';
const CACHE_CONTAINER = 'actions-cache';
const ARTIFACT_CONTAINER = 'actions-results';

export type FailMode = 'none' | 'status500';

export interface RequestLogEntry {
  service: string;
  method: string;
  status: number;
  request: unknown;
}

export interface CacheEntryInfo {
  key: string;
  version: string;
  size: number;
}

export interface ArtifactInfo {
  id: number;
  name: string;
  size: number;
  jobBackendId: string;
}

export interface ActionsEmulator {
  /** ACTIONS_RESULTS_URL, with the trailing slash the runner gives it. */
  resultsUrl: string;
  runnerEnv(opts: RunnerEnvOptions): Record<string, string>;
  /** Finalized cache entries, oldest first. */
  cacheEntries(): CacheEntryInfo[];
  deleteCacheEntry(key: string): Promise<void>;
  /** Make every CacheService call fail (500 is retried by the toolkit, 5 attempts). */
  failCache(mode: FailMode): void;
  failArtifacts(mode: FailMode): void;
  /** Replace the stored archive of every entry with this key by `bytes`. */
  corruptCacheEntry(key: string, bytes: Uint8Array): Promise<void>;
  /** Finalized artifacts of a workflow run (all attempts), oldest first. */
  artifacts(runBackendId: string): ArtifactInfo[];
  /** Every Twirp call, in arrival order. */
  requestLog: RequestLogEntry[];
  close(): Promise<void>;
}

class TwirpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface CacheEntry {
  id: number;
  key: string;
  version: string;
  blobName: string;
  size: number;
  finalized: boolean;
}

interface Artifact {
  id: number;
  runBackendId: string;
  jobBackendId: string;
  name: string;
  blobName: string;
  size: number;
  digest: string | undefined;
  createdAt: Date;
  finalized: boolean;
}

type Body = Record<string, unknown>;

function field(body: Body, name: string): string {
  const value = body[name];
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  throw new TwirpError(400, 'invalid_argument', `${name} must be a string`);
}

function required(body: Body, name: string): string {
  const value = field(body, name);
  if (!value) throw new TwirpError(400, 'invalid_argument', `${name} is required`);
  return value;
}

function stringList(body: Body, name: string): string[] {
  const value = body[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    throw new TwirpError(400, 'invalid_argument', `${name} must be a list of strings`);
  }
  return value;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startActionsEmulator(): Promise<ActionsEmulator> {
  const azurite: Azurite = await startAzurite();
  let server: Server | undefined;
  try {
    const credential = new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY);
    const blobService = new BlobServiceClient(azurite.blobEndpoint, credential);
    const cacheContainer = blobService.getContainerClient(CACHE_CONTAINER);
    const artifactContainer = blobService.getContainerClient(ARTIFACT_CONTAINER);
    await cacheContainer.create();
    await artifactContainer.create();

    const tokenSecret = randomBytes(32).toString('hex');
    const cache: CacheEntry[] = [];
    const artifacts: Artifact[] = [];
    const requestLog: RequestLogEntry[] = [];
    let nextId = 1;
    let cacheFailMode: FailMode = 'none';
    let artifactFailMode: FailMode = 'none';

    const sasUrl = (container: ContainerClient, blobName: string, permissions: string): string => {
      const sas = generateBlobSASQueryParameters(
        {
          containerName: container.containerName,
          blobName,
          permissions: BlobSASPermissions.parse(permissions),
          startsOn: new Date(Date.now() - 60_000),
          expiresOn: new Date(Date.now() + 3_600_000),
        },
        credential,
      ).toString();
      return `${container.getBlobClient(blobName).url}?${sas}`;
    };

    const blobSize = async (container: ContainerClient, blobName: string): Promise<number | undefined> => {
      try {
        const props = await container.getBlobClient(blobName).getProperties();
        return props.contentLength;
      } catch {
        return undefined;
      }
    };

    // The lookup GitHub documents: exact key, then the key as a prefix, then each restore key
    // as a prefix; newest entry first; only entries of the same version (paths + compression).
    const findCacheEntry = (key: string, restoreKeys: string[], version: string): CacheEntry | undefined => {
      const candidates = cache.filter((e) => e.finalized && e.version === version).reverse();
      const exact = candidates.find((e) => e.key === key);
      if (exact) return exact;
      for (const prefix of [key, ...restoreKeys]) {
        const match = candidates.find((e) => e.key.startsWith(prefix));
        if (match) return match;
      }
      return undefined;
    };

    const cacheMethods: Record<string, (body: Body) => Promise<unknown>> = {
      async GetCacheEntryDownloadURL(body) {
        const entry = findCacheEntry(
          required(body, 'key'),
          stringList(body, 'restore_keys'),
          required(body, 'version'),
        );
        if (!entry) return { ok: false, signed_download_url: '', matched_key: '' };
        return {
          ok: true,
          signed_download_url: sasUrl(cacheContainer, entry.blobName, 'r'),
          matched_key: entry.key,
        };
      },
      async CreateCacheEntry(body) {
        const key = required(body, 'key');
        const version = required(body, 'version');
        if (key.length > 512)
          throw new TwirpError(400, 'invalid_argument', 'key is longer than 512 characters');
        if (cache.some((e) => e.key === key && e.version === version)) {
          throw new TwirpError(
            409,
            'already_exists',
            'cache entry with the same key, version, and scope already exists',
          );
        }
        const id = nextId++;
        const entry: CacheEntry = { id, key, version, blobName: `${id}/cache`, size: 0, finalized: false };
        cache.push(entry);
        return { ok: true, signed_upload_url: sasUrl(cacheContainer, entry.blobName, 'cw') };
      },
      async FinalizeCacheEntryUpload(body) {
        const key = required(body, 'key');
        const version = required(body, 'version');
        const entry = cache.find((e) => e.key === key && e.version === version && !e.finalized);
        if (!entry) throw new TwirpError(404, 'not_found', `no cache entry reserved for key ${key}`);
        const uploaded = await blobSize(cacheContainer, entry.blobName);
        const declared = Number(field(body, 'size_bytes'));
        if (uploaded === undefined) return { ok: false, entry_id: '0', message: 'no archive was uploaded' };
        if (uploaded !== declared) {
          return {
            ok: false,
            entry_id: '0',
            message: `size mismatch: declared ${declared}, uploaded ${uploaded}`,
          };
        }
        entry.size = uploaded;
        entry.finalized = true;
        return { ok: true, entry_id: String(entry.id) };
      },
    };

    const artifactView = (a: Artifact): Body => ({
      workflow_run_backend_id: a.runBackendId,
      workflow_job_run_backend_id: a.jobBackendId,
      database_id: String(a.id),
      name: a.name,
      size: String(a.size),
      created_at: a.createdAt.toISOString(),
      ...(a.digest ? { digest: a.digest } : {}),
    });

    // GitHub scopes artifacts to the workflow run: every attempt and job of the run sees
    // them, names are unique per run, and a token may only touch its own run.
    const artifactMethods: Record<string, (body: Body, claims: RuntimeTokenClaims) => Promise<unknown>> = {
      async CreateArtifact(body, claims) {
        const runId = required(body, 'workflow_run_backend_id');
        const jobId = required(body, 'workflow_job_run_backend_id');
        const name = required(body, 'name');
        if (jobId !== claims.jobBackendId) {
          throw new TwirpError(403, 'permission_denied', 'the token does not belong to this job run');
        }
        if (artifacts.some((a) => a.runBackendId === runId && a.name === name)) {
          throw new TwirpError(
            409,
            'already_exists',
            'an artifact with this name already exists on the workflow run',
          );
        }
        const id = nextId++;
        const blobName = `${runId}/${jobId}/${id}/${name}.zip`;
        artifacts.push({
          id,
          runBackendId: runId,
          jobBackendId: jobId,
          name,
          blobName,
          size: 0,
          digest: undefined,
          createdAt: new Date(),
          finalized: false,
        });
        return { ok: true, signed_upload_url: sasUrl(artifactContainer, blobName, 'cw') };
      },
      async FinalizeArtifact(body, claims) {
        const runId = required(body, 'workflow_run_backend_id');
        const name = required(body, 'name');
        const artifact = artifacts.find(
          (a) => a.runBackendId === runId && a.name === name && a.jobBackendId === claims.jobBackendId,
        );
        if (!artifact || artifact.finalized) {
          throw new TwirpError(404, 'not_found', `no pending artifact named ${name} for this job`);
        }
        const uploaded = await blobSize(artifactContainer, artifact.blobName);
        if (uploaded === undefined)
          throw new TwirpError(400, 'failed_precondition', 'no content was uploaded');
        artifact.size = Number(field(body, 'size')) || uploaded;
        artifact.digest = field(body, 'hash') || undefined;
        artifact.finalized = true;
        return { ok: true, artifact_id: String(artifact.id) };
      },
      async ListArtifacts(body) {
        const runId = required(body, 'workflow_run_backend_id');
        const nameFilter = field(body, 'name_filter');
        const idFilter = field(body, 'id_filter');
        const list = artifacts.filter(
          (a) =>
            a.finalized &&
            a.runBackendId === runId &&
            (!nameFilter || a.name === nameFilter) &&
            (!idFilter || String(a.id) === idFilter),
        );
        return { artifacts: list.map(artifactView) };
      },
      async GetSignedArtifactURL(body) {
        const runId = required(body, 'workflow_run_backend_id');
        const name = required(body, 'name');
        const artifact = artifacts.find((a) => a.finalized && a.runBackendId === runId && a.name === name);
        if (!artifact) throw new TwirpError(404, 'not_found', `artifact ${name} not found`);
        return { signed_url: sasUrl(artifactContainer, artifact.blobName, 'r') };
      },
      async DeleteArtifact(body) {
        const runId = required(body, 'workflow_run_backend_id');
        const name = required(body, 'name');
        const index = artifacts.findIndex((a) => a.finalized && a.runBackendId === runId && a.name === name);
        const artifact = artifacts[index];
        if (!artifact) throw new TwirpError(404, 'not_found', `artifact ${name} not found`);
        artifacts.splice(index, 1);
        await artifactContainer.getBlobClient(artifact.blobName).deleteIfExists();
        return { ok: true, artifact_id: String(artifact.id) };
      },
    };

    // The REST API's view of artifacts, as @actions/artifact's cross-run lookup (`findBy`) calls it:
    // list a workflow run's artifacts (paged), and download one by id through a 302 to its blob.
    const restApi = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
      const path = url.pathname.slice('/_emulator/api'.length);
      const list = /^\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)\/artifacts$/.exec(path);
      const download = /^\/repos\/([^/]+)\/([^/]+)\/actions\/artifacts\/(\d+)\/zip$/.exec(path);
      let status = 200;
      const auth = req.headers.authorization ?? '';
      if (req.method !== 'GET' || (!list && !download)) status = 404;
      else if (!/^(token|bearer) \S+/i.test(auth)) status = 401;
      requestLog.push({ service: 'rest', method: `${req.method} ${path}`, status, request: url.search });
      if (status !== 200) {
        sendJson(res, status, { message: status === 401 ? 'Requires authentication' : 'Not Found' });
        return;
      }
      if (list) {
        const runBackendId = defaultRunBackendId(list[3]!);
        const perPage = Math.min(Number(url.searchParams.get('per_page')) || 30, 100);
        const page = Math.max(Number(url.searchParams.get('page')) || 1, 1);
        const ofRun = artifacts.filter((a) => a.finalized && a.runBackendId === runBackendId);
        sendJson(res, 200, {
          total_count: ofRun.length,
          artifacts: ofRun.slice((page - 1) * perPage, page * perPage).map((a) => ({
            id: a.id,
            node_id: `MDg6QXJ0aWZhY3Q${a.id}`,
            name: a.name,
            size_in_bytes: a.size,
            archive_download_url: `${url.origin}/_emulator/api/repos/${list[1]}/${list[2]}/actions/artifacts/${a.id}/zip`,
            expired: false,
            created_at: a.createdAt.toISOString(),
            ...(a.digest ? { digest: a.digest } : {}),
            workflow_run: { id: Number(list[3]) },
          })),
        });
        return;
      }
      const artifact = artifacts.find((a) => a.finalized && a.id === Number(download![3]));
      if (!artifact) {
        sendJson(res, 404, { message: 'Not Found' });
        return;
      }
      res.writeHead(302, { location: sasUrl(artifactContainer, artifact.blobName, 'r') });
      res.end();
    };

    const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      const url = new URL(req.url ?? '/', 'http://emulator');
      if (url.pathname.startsWith('/_emulator/api/')) {
        await restApi(req, res, new URL(req.url ?? '/', `http://${req.headers.host ?? 'emulator'}`));
        return;
      }
      const route = /^\/twirp\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      const raw = await readBody(req);
      const service = route?.[1] ?? '';
      const method = route?.[2] ?? '';
      let request: unknown = raw;
      let status = 200;
      let response: unknown;
      try {
        if (!route || req.method !== 'POST') {
          throw new TwirpError(404, 'bad_route', `no handler for ${req.method} ${url.pathname}`);
        }
        const contentType = req.headers['content-type'] ?? '';
        if (!contentType.startsWith('application/json')) {
          throw new TwirpError(400, 'malformed', `unsupported Content-Type ${contentType}`);
        }
        try {
          request = JSON.parse(raw);
        } catch {
          throw new TwirpError(400, 'malformed', 'the request body is not JSON');
        }
        if (typeof request !== 'object' || request === null || Array.isArray(request)) {
          throw new TwirpError(400, 'malformed', 'the request body is not a JSON object');
        }
        const auth = req.headers.authorization ?? '';
        const claims = auth.startsWith('Bearer ')
          ? verifyRuntimeToken(tokenSecret, auth.slice(7))
          : undefined;
        if (!claims) throw new TwirpError(401, 'unauthenticated', 'missing or invalid runtime token');
        const body = request as Body;
        if (service === CACHE_SERVICE) {
          const handler = cacheMethods[method];
          if (!handler) throw new TwirpError(404, 'bad_route', `no method ${method} on ${service}`);
          if (cacheFailMode === 'status500') throw new TwirpError(500, 'internal', 'emulated cache outage');
          response = await handler(body);
        } else if (service === ARTIFACT_SERVICE) {
          const handler = artifactMethods[method];
          if (!handler) throw new TwirpError(404, 'bad_route', `no method ${method} on ${service}`);
          if (artifactFailMode === 'status500')
            throw new TwirpError(500, 'internal', 'emulated artifact outage');
          const runId = field(body, 'workflow_run_backend_id');
          if (runId && runId !== claims.runBackendId) {
            throw new TwirpError(403, 'permission_denied', 'the token does not belong to this workflow run');
          }
          response = await handler(body, claims);
        } else {
          throw new TwirpError(404, 'bad_route', `unknown service ${service}`);
        }
      } catch (err) {
        // The clients retry bodies that are not JSON for ~20 s, so errors are always Twirp JSON.
        const twirp = err instanceof TwirpError ? err : new TwirpError(500, 'internal', String(err));
        status = twirp.status;
        response = { code: twirp.code, msg: twirp.message, meta: {} };
      }
      requestLog.push({ service, method, status, request });
      sendJson(res, status, response);
    };

    const httpServer = createServer((req, res) => {
      handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { code: 'internal', msg: String(err), meta: {} });
        else res.destroy();
      });
    });
    server = httpServer;
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = httpServer.address() as AddressInfo;
    const resultsUrl = `http://127.0.0.1:${port}/`;

    return {
      resultsUrl,
      requestLog,
      runnerEnv: (opts) => buildRunnerEnv(resultsUrl, tokenSecret, opts),
      cacheEntries: () =>
        cache.filter((e) => e.finalized).map((e) => ({ key: e.key, version: e.version, size: e.size })),
      async deleteCacheEntry(key) {
        const doomed = cache.filter((e) => e.key === key);
        for (const entry of doomed) cache.splice(cache.indexOf(entry), 1);
        for (const entry of doomed) await cacheContainer.getBlobClient(entry.blobName).deleteIfExists();
      },
      failCache(mode) {
        cacheFailMode = mode;
      },
      failArtifacts(mode) {
        artifactFailMode = mode;
      },
      async corruptCacheEntry(key, bytes) {
        const entries = cache.filter((e) => e.key === key && e.finalized);
        if (entries.length === 0) throw new Error(`no cache entry with key ${key}`);
        for (const entry of entries) {
          await cacheContainer.getBlockBlobClient(entry.blobName).upload(bytes, bytes.byteLength);
          entry.size = bytes.byteLength;
        }
      },
      artifacts: (runBackendId) =>
        artifacts
          .filter((a) => a.finalized && a.runBackendId === runBackendId)
          .map((a) => ({ id: a.id, name: a.name, size: a.size, jobBackendId: a.jobBackendId })),
      async close() {
        await new Promise<void>((resolve) => {
          httpServer.close(() => resolve());
          httpServer.closeAllConnections();
        });
        await azurite.stop();
      },
    };
  } catch (err) {
    server?.close();
    await azurite.stop();
    throw err;
  }
}
