/**
 * Reads what enforcement health needs, through any Octokit's `request` (the app's installation
 * client or the CLI's token client): the active rules of the branch (at most RULE_PAGES pages),
 * classic branch protection, then the rulesets that require the check. 2 + at most
 * MAX_RULESETS_READ requests, usually 3. A refusal (403, 404, 5xx) becomes an answer that
 * classify() reads as unknown; a network error is thrown.
 */
import {
  rulesetsToRead,
  type Answer,
  type BranchProtection,
  type BranchRule,
  type EnforcementReading,
  type Ruleset,
} from "./health.js";

export type Request = (route: string, parameters: Record<string, unknown>) => Promise<{ data: unknown }>;

/** Pages of 100 rules read; a branch with more is read as incomplete (and judged unknown unless pinned). */
export const RULE_PAGES = 3;

export async function readEnforcement(
  request: Request,
  target: { owner: string; repo: string; branch: string; checkName: string },
): Promise<EnforcementReading> {
  const { owner, repo, branch } = target;
  const [rules, protection] = await Promise.all([
    readRules(request, owner, repo, branch),
    answer<BranchProtection>(() =>
      request("GET /repos/{owner}/{repo}/branches/{branch}/protection", { owner, repo, branch }),
    ),
  ]);
  const ids = rules.answer.ok ? rulesetsToRead(rules.answer.body, target.checkName) : [];
  const rulesets = await Promise.all(
    ids.map((id) =>
      answer<Ruleset>(() =>
        request("GET /repos/{owner}/{repo}/rulesets/{ruleset_id}", { owner, repo, ruleset_id: id }),
      ),
    ),
  );
  return {
    repository: `${owner}/${repo}`,
    branch,
    rules: rules.answer,
    rulesComplete: rules.complete,
    rulesets: Object.fromEntries(ids.map((id, i) => [id, rulesets[i]!])),
    protection,
  };
}

async function readRules(
  request: Request,
  owner: string,
  repo: string,
  branch: string,
): Promise<{ answer: Answer<BranchRule[]>; complete: boolean }> {
  const all: BranchRule[] = [];
  for (let page = 1; page <= RULE_PAGES; page++) {
    const read = await answer<BranchRule[]>(() =>
      request("GET /repos/{owner}/{repo}/rules/branches/{branch}", { owner, repo, branch, per_page: 100, page }),
    );
    if (!read.ok) return { answer: read, complete: false };
    if (!Array.isArray(read.body))
      return { answer: { ok: false, status: 200, message: "not a list" }, complete: false };
    all.push(...read.body);
    if (read.body.length < 100) return { answer: { ok: true, body: all }, complete: true };
  }
  return { answer: { ok: true, body: all }, complete: false };
}

/** An HTTP refusal as an answer; anything that is not an HTTP answer (a network error) is thrown. */
async function answer<T>(call: () => Promise<{ data: unknown }>): Promise<Answer<T>> {
  try {
    return { ok: true, body: (await call()).data as T };
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    if (typeof status !== "number" || status === 401) throw error;
    const message = (error as { response?: { data?: { message?: unknown } } }).response?.data?.message;
    return { ok: false, status, ...(typeof message === "string" ? { message } : {}) };
  }
}
