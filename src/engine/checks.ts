/**
 * The `checks` requirement: CI results that must pass on the PR's head commit. For each entry,
 * the newest check run of that exact name (from any app but Guardrails itself, or only from the
 * pinned `app`), or, with no `app` and no such run, the commit status of that context, must have
 * concluded with one of the entry's `conclusions`. Without CI facts (the CLI, the simulate API)
 * every entry is unmet, "judged on GitHub"; with an incomplete read none is met (fail closed).
 */
import { codeSpan } from "../markdown.js";
import type { CheckSpec } from "../policy/schema.js";
import type {
  CheckResultFact,
  CheckRunFact,
  CiFacts,
  CommitStatusFact,
  PullRequestFacts,
  RequirementResult,
  RequirementSource,
} from "./types.js";

const STATUS_WORDS: Record<string, string> = {
  queued: "queued",
  in_progress: "in progress",
  waiting: "waiting for approval of a deployment",
  requested: "requested",
  pending: "pending",
};

export function judgeChecks(
  facts: PullRequestFacts,
  entries: { check: CheckSpec; sources: RequirementSource[] }[],
): RequirementResult[] {
  return entries.map(({ check, sources }) => ({
    kind: "checks" as const,
    local: false,
    sources,
    check,
    ...judgeCheck(check, facts.ci),
  }));
}

type Judged = Pick<RequirementResult, "met" | "message" | "howTo" | "result">;

function judgeCheck(check: CheckSpec, ci: CiFacts | undefined): Judged {
  const name = codeSpan(check.name);
  const from = check.app ? ` from the app ${check.app}` : "";
  if (!ci) {
    return {
      met: false,
      message: `${name}${from} is judged on GitHub: CI results on the head commit cannot be seen here`,
      howTo: `On GitHub, ${name} must conclude ${orList(check.conclusions)} on the PR's head commit`,
    };
  }
  if (!ci.complete) {
    return {
      met: false,
      message: `not every check run and commit status of the head commit could be read, so ${name} cannot be judged`,
      howTo: "Press Re-evaluate; if it persists, ask an administrator",
    };
  }
  const run = newestRun(check, ci);
  if (run) return judgeRun(check, run);
  const status = check.app ? undefined : ci.statuses.find((s) => s.context === check.name);
  if (status) return judgeStatus(check, status);
  const elsewhere = check.app ? otherApps(check, ci) : [];
  return {
    met: false,
    message: `waiting for ${name}${from}${elsewhere.length ? `; a run of that name by ${elsewhere.join(", ")} does not count (pinned to ${check.app})` : ""}`,
    howTo: `Have ${check.app ? `the app ${check.app}` : "a workflow, app or commit status"} report ${name} on the head commit (the name must match exactly)`,
  };
}

/** The newest run of the entry's name that may count: never Guardrails' own, only the pinned app's when pinned. */
function newestRun(check: CheckSpec, ci: CiFacts): CheckRunFact | undefined {
  const own = ci.ownAppSlug.toLowerCase();
  const app = check.app?.toLowerCase();
  let newest: CheckRunFact | undefined;
  for (const run of ci.checkRuns) {
    if (run.name !== check.name) continue;
    const slug = run.appSlug.toLowerCase();
    if (slug === own || (app !== undefined && slug !== app)) continue;
    if (!newest || run.id > newest.id) newest = run;
  }
  return newest;
}

function otherApps(check: CheckSpec, ci: CiFacts): string[] {
  const own = ci.ownAppSlug.toLowerCase();
  const slugs = ci.checkRuns
    .filter((run) => run.name === check.name && run.appSlug.toLowerCase() !== own)
    .map((run) => run.appSlug);
  return [...new Set(slugs)].slice(0, 3);
}

function judgeRun(check: CheckSpec, run: CheckRunFact): Judged {
  const result: CheckResultFact = {
    source: "check_run",
    status: run.status,
    ...(run.conclusion ? { conclusion: run.conclusion } : {}),
    ...(run.url ? { url: run.url } : {}),
    app: run.appSlug,
  };
  const name = codeSpan(check.name);
  if (run.status !== "completed") {
    return {
      met: false,
      result,
      message: `waiting for ${name} (${STATUS_WORDS[run.status] ?? run.status})`,
      howTo: `Wait for ${name} to finish on the head commit`,
    };
  }
  return concluded(check, run.conclusion ?? "none", run.url, result);
}

function judgeStatus(check: CheckSpec, status: CommitStatusFact): Judged {
  const result: CheckResultFact = {
    source: "status",
    status: status.state === "pending" ? "pending" : "completed",
    ...(status.state !== "pending" ? { conclusion: status.state } : {}),
    ...(status.url ? { url: status.url } : {}),
  };
  const name = codeSpan(check.name);
  if (status.state === "pending") {
    return {
      met: false,
      result,
      message: `waiting for ${name} (commit status pending)`,
      howTo: `Wait for ${name} to finish on the head commit`,
    };
  }
  // A status knows only success, failure and error; an error fails like a failure.
  const conclusion = status.state === "error" ? "failure" : status.state;
  return concluded(check, conclusion, status.url, result, status.state);
}

function concluded(
  check: CheckSpec,
  conclusion: string,
  url: string | undefined,
  result: CheckResultFact,
  shown = conclusion,
): Judged {
  const name = codeSpan(check.name);
  const what = result.source === "status" ? "commit status" : "concluded";
  if ((check.conclusions as readonly string[]).includes(conclusion)) {
    return { met: true, result, message: `${name} ${what} ${shown}`, howTo: "" };
  }
  const link = safeLink(url);
  return {
    met: false,
    result,
    message: `${name} ${what} ${shown}${link ? ` ([details](${link}))` : ""}; needs ${orList(check.conclusions)}`,
    howTo: `Fix what ${name} reports and re-run it on the head commit`,
  };
}

/** An http(s) URL that cannot break out of a Markdown link; anything else is not linked. */
function safeLink(url: string | undefined): string | undefined {
  if (!url || url.length > 2000 || !/^https?:\/\/[^\s<>()[\]`"'\\]+$/i.test(url)) return undefined;
  return url;
}

function orList(items: readonly string[]): string {
  return items.length === 1 ? items[0]! : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}
