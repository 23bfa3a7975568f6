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
  const repository = typeof values.repo === "string" ? values.repo : undefined;
  const match = repository ? /^([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+)$/.exec(repository) : null;
  if (!match)
    throw new UsageError(
      repository ? `--repo must be OWNER/NAME, not ${JSON.stringify(repository)}` : "--repo OWNER/NAME is required",
      "audit",
    );
  if (flag(values, "json") && flag(values, "csv")) throw new UsageError("--json and --csv exclude each other", "audit");
  const now = new Date();
  const until = typeof values.until === "string" ? parseDate(values.until, "until", true) : now;
  const since =
    typeof values.since === "string"
      ? parseDate(values.since, "since", false)
      : new Date(until.getTime() - 30 * DAY_MS);
  if (since.getTime() > until.getTime())
    throw new UsageError(`--since (${since.toISOString()}) is after --until (${until.toISOString()})`, "audit");
  const appIdText = typeof values["app-id"] === "string" ? values["app-id"] : io.env.GUARDRAILS_APP_ID;
  // Which app's runs vouch for a merge must be known: any GitHub Actions workflow of a PR can post
  // a check run named `guardrails`, with a decision record of its own making (review 11).
  if (appIdText === undefined)
    throw new UsageError(
      "--app-id ID (or GUARDRAILS_APP_ID) is required: only the Guardrails App's own check runs may vouch for a merge",
      "audit",
    );
  if (!/^\d{1,12}$/.test(appIdText))
    throw new UsageError(`--app-id must be the GitHub App's numeric id, not ${JSON.stringify(appIdText)}`, "audit");
  const token = io.env.GITHUB_TOKEN;
  if (!token)
    throw new CliError(
      "GITHUB_TOKEN is not set: the export reads the repository's merged pull requests and their check runs with it (a token that can read the repository, its pull requests and checks)",
    );
  const apiUrl = io.env.GITHUB_API_URL || "https://api.github.com";

  const startedAt = Date.now();
  let pages = 0;
  const { pulls } = await mergedPullRequests({
    token,
    apiUrl,
    owner: match[1]!,
    repo: match[2]!,
    since,
    until,
    checkName: CHECK_NAME,
    appId: Number(appIdText),
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
