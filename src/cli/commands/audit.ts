/**
 * `guardrails audit --repo OWNER/NAME`: one record per PR merged in a period, what the guardrails
 * check said on the merged head, and which were merged without a passing check (`bypassed`).
 */
import { mergedPullRequests } from "../../audit/github-audit.js";
import {
  auditRecord,
  recordsCsv,
  recordsText,
  summarize,
  summaryCsv,
  summaryText,
} from "../../audit/merged-pull-requests.js";
import { CHECK_NAME } from "../../render/check-output.js";
import { flag, parseCommandArgs } from "../args.js";
import { CliError, EXIT, UsageError } from "../errors.js";
import { apiUrl as githubApiUrl, appIdOption, githubToken, repositoryOption } from "../github-options.js";
import { AUDIT_HELP } from "../help.js";
import type { Io } from "../io.js";

const DAY_MS = 86_400_000;

export async function auditCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs(
    "audit",
    args,
    {
      repo: { type: "string" },
      since: { type: "string" },
      until: { type: "string" },
      json: { type: "boolean" },
      csv: { type: "boolean" },
      summary: { type: "boolean" },
      strict: { type: "boolean" },
      "app-id": { type: "string" },
    },
    0,
  );
  if (values.help) {
    io.stdout(AUDIT_HELP);
    return EXIT.ok;
  }
  const { owner, repo } = repositoryOption(values, "audit");
  const repository = `${owner}/${repo}`;
  if (flag(values, "json") && flag(values, "csv")) throw new UsageError("--json and --csv exclude each other", "audit");
  const now = new Date();
  const until = typeof values.until === "string" ? parseDate(values.until, "until", true) : now;
  const since =
    typeof values.since === "string"
      ? parseDate(values.since, "since", false)
      : new Date(until.getTime() - 30 * DAY_MS);
  if (since.getTime() > until.getTime())
    throw new UsageError(`--since (${since.toISOString()}) is after --until (${until.toISOString()})`, "audit");
  const appId = appIdOption(values, io.env, "audit", "only the Guardrails App's own check runs may vouch for a merge");
  const token = githubToken(
    io.env,
    "the export reads the repository's merged pull requests and their check runs with it (a token that can read the repository, its pull requests and checks)",
  );
  const apiUrl = githubApiUrl(io.env);

  const startedAt = Date.now();
  let pages = 0;
  const { pulls } = await mergedPullRequests({
    token,
    apiUrl,
    owner,
    repo,
    since,
    until,
    checkName: CHECK_NAME,
    appId,
    progress: (read, reachedBack) => {
      pages++;
      // A progress line for long periods (more than one page), on stderr: stdout stays the export.
      if (pages > 1 || Date.now() - startedAt > 2000)
        io.stderr(`guardrails audit: ${read} merged pull requests read (back to ${reachedBack || "the start"})…\n`);
    },
  }).catch((error: unknown) => {
    const status = (error as { status?: number }).status;
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError(
      `could not read ${repository} from ${apiUrl}${status ? ` (HTTP ${status})` : ""}: ${message.split("\n")[0]}`,
    );
  });

  const records = pulls.map(auditRecord);
  const period = { since: since.toISOString(), until: until.toISOString() };
  if (flag(values, "summary")) {
    const summary = summarize(records);
    if (flag(values, "json")) io.stdout(`${JSON.stringify({ repository, ...period, summary }, null, 2)}\n`);
    else if (flag(values, "csv")) io.stdout(summaryCsv(summary));
    else io.stdout(summaryText(summary, period));
  } else if (flag(values, "json")) {
    io.stdout(`${JSON.stringify({ repository, ...period, records }, null, 2)}\n`);
  } else if (flag(values, "csv")) {
    io.stdout(recordsCsv(records));
  } else {
    io.stdout(recordsText(records));
  }
  const bypassed = records.filter((r) => r.bypassed).length;
  if (bypassed > 0)
    io.stderr(
      `guardrails audit: ${bypassed} of ${records.length} merged pull request${records.length === 1 ? "" : "s"} bypassed the guardrails check\n`,
    );
  return flag(values, "strict") && bypassed > 0 ? EXIT.problems : EXIT.ok;
}

/** YYYY-MM-DD (the start of that day, or its end for --until, in UTC) or a full ISO 8601 time with its zone. */
function parseDate(text: string, name: string, endOfDay: boolean): Date {
  // A real calendar day: JavaScript would roll 2026-11-31 over to December 1st (review 11).
  const day = (ymd: string) => {
    const at = Date.parse(`${ymd}T00:00:00Z`);
    return Number.isFinite(at) && new Date(at).toISOString().startsWith(ymd) ? at : undefined;
  };
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const start = day(text);
    if (start !== undefined) return new Date(endOfDay ? start + DAY_MS - 1 : start);
  } else if (
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/.test(text) &&
    day(text.slice(0, 10)) !== undefined &&
    Number.isFinite(Date.parse(text))
  ) {
    // With its zone: a time without one would be read in the machine's local time.
    return new Date(Date.parse(text));
  }
  throw new UsageError(
    `--${name} must be a date (YYYY-MM-DD) or an ISO 8601 time with its zone (Z or ±hh:mm), not ${JSON.stringify(text)}`,
    "audit",
  );
}
