/**
 * The engine's interface: the facts an adapter (the GitHub App, the CLI) gathers about a pull
 * request, and the decision the engine returns. Nothing here knows about GitHub's API or git.
 */
import type { CodeOwners } from "../policy/codeowners.js";
import type { ApproverGroup, CheckSpec, Tier } from "../policy/schema.js";

export type FileStatus = "added" | "removed" | "modified" | "renamed" | "copied" | "changed" | "unchanged";

export interface ChangedFile {
  path: string;
  /** The path before a rename (or the source of a copy). */
  previousPath?: string;
  status: FileStatus;
  additions: number;
  deletions: number;
}

/** Repository permission, highest first: admin > maintain > write > triage > read > none. */
export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

/** Write access or above: what a label, a tick or an override needs to count. */
export function canWrite(permission: Permission | undefined): boolean {
  return permission === "write" || permission === "maintain" || permission === "admin";
}

export type ReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";

export interface Review {
  author: string;
  authorIsBot: boolean;
  state: ReviewState;
  /** The head commit the review was submitted on. */
  commitId: string;
  /** GitHub's author association of the reviewer: OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, … */
  authorAssociation: string;
  submittedAt?: string;
}

export interface Label {
  name: string;
  /** Who applied the label, with their repository permission; adapters fill it for the exempt label. */
  appliedBy?: { login: string; permission: Permission };
}

export interface ChecklistTick {
  item: string;
  tickedBy: string;
}

export interface PullRequestFacts {
  headSha: string;
  author: { login: string; isBot: boolean };
  title: string;
  body: string;
  headBranch: string;
  files: ChangedFile[];
  /** False when GitHub's list stopped short (3000 files at most): the tier is then high. */
  filesComplete: boolean;
  /** Paths the engine did not match against the policy (too deep: see path-limits.ts); set by the engine. */
  unjudgedFiles?: string[];
  /** How many of `unjudgedFiles` were left because matching ran past its budget (path-limits.ts); set by the engine. */
  unjudgedOverBudget?: number;
  labels: Label[];
  /** Reviews in the order they were submitted. */
  reviews: Review[];
  /**
   * When the PR's base last changed (it was retargeted): with `approvals.stale: discard`, an
   * approval given before it approved another diff and does not count.
   */
  baseChangedAt?: string;
  /** Team slug to the logins known to be members (adapters need only fill reviewers). */
  teamMembers: Record<string, string[]>;
  /** Values of the commits' Co-authored-by trailers (`Name <email>`). */
  coAuthors: string[];
  /**
   * Every trailer-like line (`Key: value`) of the commits' messages, each once (src/engine/co-authors.ts
   * `trailersOf`): `agents.trailers` picks the keys it matches against `agents.co_authors`, and a
   * `Co-authored-by` in GitHub's no-reply form names a contributor. Absent: only `coAuthors` is
   * known (as `Co-authored-by` values), and a policy that lists other trailer keys treats the PR
   * as agent-authored (fail closed).
   */
  trailers?: CommitTrailer[];
  /**
   * False when some commits could not be read (GitHub lists a limited number): their trailers are
   * unknown, and a policy with `agents.co_authors` then treats the PR as agent-authored; their
   * authors are unknown too, so with `approvals.ignore_contributors` no approval counts.
   */
  coAuthorsComplete?: boolean;
  /**
   * Who contributed to the PR's commits, for `approvals.ignore_contributors`: the GitHub users of
   * the commits' authors and committers, and who pushed to the head branch while the PR was open
   * (the senders of `synchronize`). The engine adds the users named by no-reply `Co-authored-by`
   * trailers itself. Absent: none known beyond those trailers (the CLI, the simulate API).
   */
  contributors?: Contributor[];
  /**
   * Why who pushed to the PR cannot be known (the push that brought the head is not handled yet,
   * or more people pushed than are kept): with `approvals.ignore_contributors`, every reviewer may
   * have pushed, and no approval counts (fail closed).
   */
  pushersUnknown?: string;
  /**
   * The CI results on the head commit, for `checks`. Absent where CI cannot be seen (the CLI, the
   * simulate API): every `checks` entry is then unmet, "judged on GitHub".
   */
  ci?: CiFacts;
  /** Ticked checklist items, with who ticked each. */
  checklist: ChecklistTick[];
  /**
   * When the PR changes the policy file: the problems of its proposed version (the head's), as
   * the loader reports them; `removed` when the PR deletes it. Adapters that read the head's
   * file fill it; the decision then requires the proposed policy to be valid.
   */
  proposedPolicy?: { problems: { line: number; column: number; message: string }[]; removed?: boolean };
  /** The base commit's CODEOWNERS (null or absent: none); needed by `codeowners: true`. */
  codeOwners?: CodeOwners | null;
  /** The repository owner's login: only its organisation's teams can be code owners. */
  repositoryOwner?: string;
}

/** One `Key: value` line of a commit message (the key as written, without the colon). */
export interface CommitTrailer {
  key: string;
  value: string;
}

/** Why a person is a contributor (shown after the login: "alice pushed to this PR"). */
export type ContributorWhy = "authored a commit" | "committed" | "co-authored (trailer)" | "pushed to this PR";

export interface Contributor {
  login: string;
  why: ContributorWhy;
}

/** GitHub's check run statuses, lower-cased. */
export type CheckRunStatus = "queued" | "in_progress" | "completed" | "waiting" | "requested" | "pending";

/** A check run on the head commit, from any app. */
export interface CheckRunFact {
  /** GitHub's id of the run: ids grow as runs are created, so the highest is the newest (a re-run gets a new id). */
  id: number;
  name: string;
  /** The slug of the GitHub App that posted it (`github-actions` for workflows). */
  appSlug: string;
  status: CheckRunStatus;
  /** Once completed: GitHub's conclusion, lower-cased (`success`, `failure`, `startup_failure`, …). */
  conclusion?: string | null;
  /** The run's page on GitHub (its html_url). */
  url?: string;
}

/** A commit status on the head commit: the latest of its context, as GitHub's combined status lists it. */
export interface CommitStatusFact {
  context: string;
  state: "success" | "failure" | "error" | "pending";
  /** Where the status links to (its target_url, set by whoever posted it). */
  url?: string;
}

export interface CiFacts {
  checkRuns: CheckRunFact[];
  /** One per context (GitHub's combined status); the first of a context counts when several are given. */
  statuses: CommitStatusFact[];
  /** False when not every check run or status could be read: then no `checks` entry is met (fail closed). */
  complete: boolean;
  /** Guardrails' own app slug: its runs (the `guardrails` check) never count for `checks`. */
  ownAppSlug: string;
}

export type ReasonKind = "rule" | "default" | "size" | "agent" | "policy_change" | "incomplete";

/** Which policy a reason or requirement comes from, when the organisation's floor applies too. */
export type PolicyOrigin = "repository" | "organization";

export interface Reason {
  kind: ReasonKind;
  tier: Tier;
  /** Set only when two policies decide together (an enforced organisation policy). */
  policy?: PolicyOrigin;
  message: string;
  rule?: string;
  /** The rule's `description`, when the policy gives one. */
  description?: string;
  files?: string[];
  /** For renamed files among `files`: their old path (an object without a prototype). */
  renamedFrom?: Record<string, string>;
  lines?: number;
  fileCount?: number;
  pattern?: string;
  value?: string;
}

export type RequirementKind =
  | "approvals"
  | "approvers"
  | "codeowners"
  | "tests"
  | "ticket"
  | "checklist"
  | "checks"
  | "changes_requested"
  | "proposed_policy";

/** Where a requirement comes from: `tier:high`, `rule:auth`, `agents`, `policy_change`, `always`. */
export type RequirementSource = string;

export interface RequirementResult {
  kind: RequirementKind;
  met: boolean;
  /** One line: what is required and how far along it is. */
  message: string;
  /** One line: how to meet it (empty when met). */
  howTo: string;
  sources: RequirementSource[];
  /** Set only when two policies decide together (an enforced organisation policy). */
  policy?: PolicyOrigin;
  /** Whether it can be judged without GitHub (tests, ticket): `guardrails check --strict` uses it. */
  local: boolean;
  required?: number;
  approvedBy?: string[];
  group?: ApproverGroup;
  items?: { item: string; ticked: boolean; tickedBy?: string }[];
  reviewers?: string[];
  /** proposed_policy: every problem of the proposed policy file (line and column in the head's file). */
  problems?: { line: number; column: number; message: string }[];
  /** `ticket`: the ticket references found. */
  references?: string[];
  /** `checks`: the entry this requirement judges. */
  check?: CheckSpec;
  /** `checks`: what was found for it on the head commit (absent: nothing, or CI not seen). */
  result?: CheckResultFact;
  /** Set on the requirements of a policy in `mode: evaluate`: judged and shown, never blocking. */
  mode?: "evaluate";
  /** `approvals`, `approvers`, `codeowners`: reviewers whose approval did not count because they contributed. */
  contributorsNotCounted?: { login: string; why: string }[];
  /** `codeowners`: changed files grouped by owner set. */
  ownerGroups?: { owners: string[]; patterns: string[]; files: string[]; met: boolean; approvedBy: string[] }[];
}

/** What a `checks` entry found: the newest matching check run, or the commit status of its context. */
export interface CheckResultFact {
  source: "check_run" | "status";
  /** check_run: the run's status; status: pending or completed. */
  status: string;
  /** The run's conclusion, or the status's state (success, failure, error). */
  conclusion?: string;
  url?: string;
  /** check_run: the app that posted it. */
  app?: string;
}

/** Break glass: an override in force on the head commit (src/engine/override.ts). */
export interface OverrideRecord {
  /** Who overrode (a login). */
  by: string;
  /** When the command was written (the comment's creation time). */
  at: string;
  reason: string;
  /** The head commit it is bound to: a new head ends it. */
  head: string;
  /** The base branch it is bound to: a retarget ends it. */
  base?: string;
  /** How the person was allowed, per policy in force: `user` or `team:<slug>`. */
  via: string[];
  /** The command comment's id (a redelivered command is not applied twice). */
  commentId?: number;
}

export interface AppliedOverride extends OverrideRecord {
  /** The requirements that were unmet and are bypassed. */
  bypassed: RequirementResult[];
}

export interface Decision {
  tier: Tier;
  /** `failure` when a requirement that is enforced (not `mode: "evaluate"`) is unmet and no override is in force. */
  conclusion: "success" | "failure";
  /**
   * `evaluate` when every policy that decided is in `mode: evaluate` (a trial: the check passes and
   * says what would fail); `enforce` otherwise (with an enforced floor, either policy may be on trial:
   * its requirements carry `mode: "evaluate"`).
   */
  mode: "enforce" | "evaluate";
  /** Whether some requirement is unmet: the conclusion if every policy were enforced and nothing overridden. */
  wouldFail: boolean;
  reasons: Reason[];
  requirements: RequirementResult[];
  /** Every checklist item the PR must tick, in order. */
  checklist: string[];
  agentAuthored: boolean;
  policyChanged: boolean;
  size: { lines: number; files: number; ignoredFiles: number };
  /** Ticket references in the title, body or branch (the policy's `ticket.pattern`), whether required or not. */
  ticketReferences?: string[];
  /** Set when an override is in force: the conclusion is then `success` whatever is unmet. */
  override?: AppliedOverride;
  /**
   * The base's CODEOWNERS lines that GitHub skips, and why (an unsupported pattern, an owner that
   * is not one): shown whether or not `codeowners: true` applies, since GitHub's own code owner
   * reviews skip them too. At most 100 (src/policy/codeowners.ts `codeOwnersProblems`).
   */
  codeOwnersProblems?: { path: string; line: number; column: number; message: string }[];
}
