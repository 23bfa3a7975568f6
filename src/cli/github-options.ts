/**
 * What the commands that read GitHub (`audit`, `doctor`) take alike: --repo OWNER/NAME, the
 * Guardrails App's id (--app-id or GUARDRAILS_APP_ID), GITHUB_TOKEN and GITHUB_API_URL.
 */
import type { ParsedArgs } from "./args.js";
import { CliError, UsageError } from "./errors.js";

export function repositoryOption(values: ParsedArgs["values"], command: string): { owner: string; repo: string } {
  const repository = typeof values.repo === "string" ? values.repo : undefined;
  const match = repository ? /^([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+)$/.exec(repository) : null;
  if (!match)
    throw new UsageError(
      repository ? `--repo must be OWNER/NAME, not ${JSON.stringify(repository)}` : "--repo OWNER/NAME is required",
      command,
    );
  return { owner: match[1]!, repo: match[2]! };
}

/**
 * Which app's check counts must be known: any GitHub Actions workflow can post a check run or a
 * status named `guardrails` (review 11).
 */
export function appIdOption(
  values: ParsedArgs["values"],
  env: NodeJS.ProcessEnv,
  command: string,
  why: string,
): number {
  const text = typeof values["app-id"] === "string" ? values["app-id"] : env.GUARDRAILS_APP_ID;
  if (text === undefined) throw new UsageError(`--app-id ID (or GUARDRAILS_APP_ID) is required: ${why}`, command);
  if (!/^\d{1,12}$/.test(text))
    throw new UsageError(`--app-id must be the GitHub App's numeric id, not ${JSON.stringify(text)}`, command);
  return Number(text);
}

export function githubToken(env: NodeJS.ProcessEnv, purpose: string): string {
  const token = env.GITHUB_TOKEN;
  if (!token) throw new CliError(`GITHUB_TOKEN is not set: ${purpose}`);
  return token;
}

/** GitHub's REST base: https://api.github.com, or https://HOST/api/v3 on Enterprise Server. */
export function apiUrl(env: NodeJS.ProcessEnv): string {
  return env.GITHUB_API_URL || "https://api.github.com";
}
