// The `github` expression context, built from the runner's environment as GitHub Actions does.
import { readFile } from 'node:fs/promises';

export async function githubContext(
  env: Record<string, string | undefined>,
): Promise<Record<string, unknown>> {
  let event: unknown = {};
  if (env.GITHUB_EVENT_PATH) {
    try {
      event = JSON.parse(await readFile(env.GITHUB_EVENT_PATH, 'utf8')) as unknown;
    } catch {
      event = {};
    }
  }
  const pick = (name: string) => env[name] ?? '';
  return {
    event,
    event_name: pick('GITHUB_EVENT_NAME'),
    repository: pick('GITHUB_REPOSITORY'),
    repository_owner: pick('GITHUB_REPOSITORY_OWNER'),
    ref: pick('GITHUB_REF'),
    ref_name: pick('GITHUB_REF_NAME'),
    head_ref: pick('GITHUB_HEAD_REF'),
    base_ref: pick('GITHUB_BASE_REF'),
    sha: pick('GITHUB_SHA'),
    actor: pick('GITHUB_ACTOR'),
    workflow: pick('GITHUB_WORKFLOW'),
    job: pick('GITHUB_JOB'),
    run_id: pick('GITHUB_RUN_ID'),
    run_number: pick('GITHUB_RUN_NUMBER'),
    run_attempt: pick('GITHUB_RUN_ATTEMPT'),
    server_url: env.GITHUB_SERVER_URL ?? 'https://github.com',
    api_url: env.GITHUB_API_URL ?? 'https://api.github.com',
    workspace: pick('GITHUB_WORKSPACE'),
  };
}
