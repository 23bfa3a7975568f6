/**
 * The bodies of `POST /api/validate` and `POST /api/simulate` (docs/api.md), their checks, and the
 * answers: the same loader and engine as the app and the CLI, and the CLI's own JSON writer
 * (`guardrails check --json`). Pure: the server and the playground's browser bundle run this same
 * module, so the page and the endpoint answer alike for the same input.
 */
import { z } from "zod";
import { renderJson } from "../report/json.js";
import type { CheckReport } from "../report/check-report.js";
import { trailersOf, valuesOf } from "../engine/co-authors.js";
import { evaluate } from "../engine/evaluate.js";
import type { ChangedFile, Decision, PullRequestFacts } from "../engine/types.js";
import { parseCodeOwners } from "../policy/codeowners.js";
import { loadPolicy, type PolicyProblem } from "../policy/loader.js";

/** A pull request lists at most 3000 files on GitHub; a simulated one no more. */
export const MAX_FILES = 3000;
/** Longest path, login, label or co-author line accepted. */
export const MAX_STRING = 4096;
/** At most this many labels, approvals or co-authors. */
export const MAX_LIST = 100;
/** Longest title or body (GitHub's body limit is 65536 characters). */
export const MAX_TEXT = 65536;
/** At most this many teams, each with at most this many members. */
export const MAX_TEAMS = 100;
export const MAX_TEAM_MEMBERS = 1000;
/** The head commit a simulated PR is at: approvals are given on it. */
export const SIMULATED_HEAD = "0000000000000000000000000000000000000000";

const STATUSES = ["added", "removed", "modified", "renamed", "copied", "changed", "unchanged"] as const;

const text = (max: number) => z.string().max(max, `at most ${max} characters`);
const count = z.number().int("a whole number").min(0, "not negative").max(1e9, "at most 1000000000");

const fileSchema = z.strictObject({
  path: text(MAX_STRING).min(1, "must not be empty"),
  previous_path: text(MAX_STRING).min(1, "must not be empty").optional(),
  status: z.enum(STATUSES, `one of ${STATUSES.join(", ")}`).optional(),
  additions: count.optional(),
  deletions: count.optional(),
});

const pullRequestSchema = z.strictObject({
  files: z.array(fileSchema).max(MAX_FILES, `at most ${MAX_FILES} files`),
  author: text(MAX_STRING).optional(),
  title: text(MAX_TEXT).optional(),
  body: text(MAX_TEXT).optional(),
  branch: text(MAX_STRING).optional(),
  co_authors: z.array(text(MAX_STRING)).max(MAX_LIST, `at most ${MAX_LIST}`).optional(),
  trailers: z.array(text(MAX_STRING)).max(MAX_LIST, `at most ${MAX_LIST}`).optional(),
  labels: z.array(text(MAX_STRING)).max(MAX_LIST, `at most ${MAX_LIST}`).optional(),
  approvals: z.array(text(MAX_STRING).min(1, "must not be empty")).max(MAX_LIST, `at most ${MAX_LIST}`).optional(),
});

// As GitHub writes them (the policy's and CODEOWNERS' own forms: src/policy/schema.ts, codeowners.ts).
export const LOGIN = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}(?:_[A-Za-z0-9]{1,20})?$/;
export const TEAM = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

const teamsSchema = z
  .record(
    z.string().regex(TEAM, "a team as org/team-slug, such as acme/security"),
    z.array(z.string().regex(LOGIN, "a GitHub login")).max(MAX_TEAM_MEMBERS, `at most ${MAX_TEAM_MEMBERS} members`),
  )
  .refine((teams) => Object.keys(teams).length <= MAX_TEAMS, `at most ${MAX_TEAMS} teams`)
  .refine(
    (teams) => new Set(Object.keys(teams).map((team) => team.split("/")[0]!.toLowerCase())).size <= 1,
    "teams of one organisation only, the repository owner's: a team of another organisation never counts",
  );

const validateSchema = z.strictObject({ policy: z.string("must be a string: the policy's YAML text") });
const simulateSchema = z.strictObject({
  policy: z.string("must be a string: the policy's YAML text"),
  // Bounded by the body (1 MiB); past CODEOWNERS_LINES lines the owners are unknown, as in the app.
  codeowners: z.string("must be a string: the CODEOWNERS file's text").optional(),
  teams: teamsSchema.optional(),
  pull_request: pullRequestSchema,
});

export type SimulatedPullRequest = z.infer<typeof pullRequestSchema>;
export type SimulateBody = z.infer<typeof simulateSchema>;

/** Bad input: which field (a path like `pull_request.files[2].path`) and why. */
export interface InputError {
  field: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: InputError };

export function parseValidateBody(body: unknown): Parsed<{ policy: string }> {
  return parseWith(validateSchema, body);
}

export function parseSimulateBody(body: unknown): Parsed<SimulateBody> {
  return parseWith(simulateSchema, body);
}

function parseWith<T>(schema: z.ZodType<T>, body: unknown): Parsed<T> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return { ok: false, error: { field: "body", message: "must be a JSON object" } };
  }
  const result = schema.safeParse(body);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0]!;
  const field = fieldName(issue.path);
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.map((key) => fieldName([...issue.path, key]));
    return {
      ok: false,
      error: { field: keys[0]!, message: `unknown field${keys.length > 1 ? `s ${keys.join(", ")}` : ""}` },
    };
  }
  const missing = issue.code === "invalid_type" && issue.input === undefined;
  return { ok: false, error: { field: field || "body", message: missing ? "is required" : issue.message } };
}

function fieldName(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) out += typeof part === "number" ? `[${part}]` : `${out ? "." : ""}${String(part)}`;
  return out;
}

export interface ValidateAnswer {
  ok: boolean;
  problems: PolicyProblem[];
}

/** `POST /api/validate`: every problem of the policy at its line and column (like `guardrails validate`). */
export function validatePolicy(policy: string): ValidateAnswer {
  const result = loadPolicy(policy);
  return result.ok ? { ok: true, problems: [] } : { ok: false, problems: result.problems };
}

/** The engine's facts of a simulated PR: what the body says, nothing from GitHub. */
export function simulatedFacts(
  pr: SimulatedPullRequest,
  repository: Pick<SimulateBody, "codeowners" | "teams"> = {},
): PullRequestFacts {
  const author = pr.author ?? "";
  const files: ChangedFile[] = pr.files.map((file) => ({
    path: file.path,
    ...(file.previous_path !== undefined ? { previousPath: file.previous_path } : {}),
    status: file.status ?? (file.previous_path !== undefined ? "renamed" : "modified"),
    additions: file.additions ?? 0,
    deletions: file.deletions ?? 0,
  }));
  return {
    headSha: SIMULATED_HEAD,
    author: { login: author, isBot: author.toLowerCase().endsWith("[bot]") },
    title: pr.title ?? "",
    body: pr.body ?? "",
    headBranch: pr.branch ?? "",
    files,
    filesComplete: true,
    // As in the CLI: who applied a label is unknown, so the exempt label does not waive tests.
    labels: (pr.labels ?? []).map((name) => ({ name })),
    // Each login approved the head, as a member of the organisation (of its teams, those `teams` lists).
    reviews: (pr.approvals ?? []).map((login) => ({
      author: login,
      authorIsBot: login.toLowerCase().endsWith("[bot]"),
      state: "APPROVED" as const,
      commitId: SIMULATED_HEAD,
      authorAssociation: "MEMBER",
    })),
    ...simulatedTeams(repository.teams ?? {}, pr.approvals ?? []),
    // Absent: the simulated repository has no CODEOWNERS file. Read as the app reads the base's.
    // CI results are not seen: every `checks` entry is unmet, judged on GitHub.
    codeOwners: repository.codeowners === undefined ? null : parseCodeOwners(repository.codeowners),
    ...simulatedTrailers(pr),
    checklist: [],
  };
}

/**
 * Each `co_authors` entry is one `Co-authored-by:` value and each `trailers` entry one
 * `Key: value` line, read by the same parser as commit messages.
 */
function simulatedTrailers(pr: SimulatedPullRequest): Pick<PullRequestFacts, "coAuthors" | "trailers"> {
  const oneLine = (value: string) => value.replace(/[\r\n\u2028\u2029]/g, " ");
  const lines = [
    ...(pr.co_authors ?? []).map((value) => `Co-authored-by: ${oneLine(value)}`),
    ...(pr.trailers ?? []).map(oneLine),
  ];
  const trailers = trailersOf(lines);
  return { coAuthors: valuesOf(trailers, "Co-authored-by"), trailers };
}

/**
 * `teams` as the engine's facts: the organisation of the teams is the repository owner's (only its
 * teams count, for approver groups and CODEOWNERS alike), and each team lists its members among
 * the approvers, as the app looks up only reviewers (so the engine's work stays as in the app).
 */
function simulatedTeams(
  teams: Record<string, string[]>,
  approvals: string[],
): Pick<PullRequestFacts, "teamMembers" | "repositoryOwner"> {
  const approvers = new Set(approvals.map((login) => login.toLowerCase()));
  const teamMembers: Record<string, string[]> = {};
  let repositoryOwner: string | undefined;
  for (const [team, members] of Object.entries(teams)) {
    const [org, slug] = team.toLowerCase().split("/") as [string, string];
    repositoryOwner = org;
    teamMembers[slug] = [...new Set(members.map((m) => m.toLowerCase()).filter((m) => approvers.has(m)))];
  }
  return { teamMembers, ...(repositoryOwner !== undefined ? { repositoryOwner } : {}) };
}

/**
 * Says why a team could not count where it did not: its members were not given in `teams` (the
 * simulation knows no more), or it is of another organisation than the teams given.
 */
export function explainTeams(decision: Decision, teams: Record<string, string[]>): Decision {
  const known = new Set(Object.keys(teams).map((team) => team.toLowerCase()));
  const org = [...known][0]?.split("/")[0];
  const unknownSlugs = (slugs: string[]) => slugs.filter((slug) => !org || !known.has(`${org}/${slug.toLowerCase()}`));
  const note = (names: string[]) =>
    names.length === 0
      ? ""
      : ` (no members given for ${names.join(", ")}: list them in "teams" as { "${org ?? "org"}/team": [logins] })`;
  const requirements = decision.requirements.map((requirement) => {
    if (requirement.met) return requirement;
    if (requirement.kind === "approvers" && requirement.group?.teams) {
      const names = unknownSlugs(requirement.group.teams).map((slug) => `team ${slug}`);
      return names.length ? { ...requirement, message: `${requirement.message}${note(names)}` } : requirement;
    }
    if (requirement.kind === "codeowners" && requirement.ownerGroups) {
      const teamOwners = requirement.ownerGroups
        .filter((group) => !group.met)
        .flatMap((group) => group.owners.filter((owner) => /^@[^/]+\/./.test(owner)));
      const unknown = [...new Set(teamOwners)].filter((owner) => !known.has(owner.slice(1).toLowerCase()));
      const foreign = org ? unknown.filter((owner) => !owner.toLowerCase().startsWith(`@${org}/`)) : [];
      const foreignNote = foreign.length
        ? ` (${foreign.join(", ")}: of another organisation than ${org}, the repository owner's, so never counts)`
        : "";
      const extra = `${note(unknown.filter((owner) => !foreign.includes(owner)))}${foreignNote}`;
      return extra ? { ...requirement, message: `${requirement.message}${extra}` } : requirement;
    }
    return requirement;
  });
  return { ...decision, requirements };
}

export type SimulateAnswer = { ok: true; json: string } | { ok: false; problems: PolicyProblem[] };

/** `POST /api/simulate`: the decision as `guardrails check --json` writes it, or the policy's problems. */
export function simulate(body: SimulateBody): SimulateAnswer {
  const loaded = loadPolicy(body.policy);
  if (!loaded.ok) return { ok: false, problems: loaded.problems };
  const facts = simulatedFacts(body.pull_request, body);
  const report: CheckReport = {
    decision: explainTeams(evaluate(loaded.policy, facts), body.teams ?? {}),
    policy: { source: "request", path: null, ref: null, sha: null },
    diff: {
      base: { ref: "", sha: "" },
      head: { ref: "", sha: SIMULATED_HEAD, branch: facts.headBranch },
      mergeBase: "",
      files: facts.files.length,
      renames: facts.files.flatMap((file) =>
        file.status === "renamed" && file.previousPath !== undefined
          ? [{ from: file.previousPath, to: file.path }]
          : [],
      ),
    },
  };
  return { ok: true, json: renderJson(report) };
}
