/**
 * Shared setup of the app's tests: a FakeGitHub served through nock, one Probot with the app per
 * test (the policy cache lives in the app instance, so a sequence of events uses one), and
 * builders that adjust REAL payloads from @octokit/webhooks-examples to the fake's pull requests.
 */
import { expect } from "@jest/globals";
import { Probot } from "probot";
import { pino } from "pino";
import {
  FakeGitHub,
  type FakeFile,
  type FakePullRequest,
  type FakeRepository,
  type LoggedRequest,
} from "../support/fake-github.js";
import { mountOnNock, useNock } from "../support/nock-github.js";
import {
  examplePayload,
  examplePayloads,
  TEST_APP_ID,
  TEST_PRIVATE_KEY,
  TEST_STATE_SECRET,
  UnthrottledOctokit,
} from "../support/test-probot.js";
import type {
  CheckRunExample,
  CheckSuiteExample,
  ExampleBase,
  ExamplePullRequest,
  ExamplePullRequestRef,
  ExampleRepository,
  IssueCommentExample,
  MergeGroupExample,
  PullRequestExample,
  PushExample,
  ReviewExample,
} from "../support/example-types.js";
import { guardrailsApp, type GuardrailsOptions } from "../../src/webhooks/app.js";
import { EnforcementCache, type EnforcementTarget } from "../../src/github/enforcement-source.js";
import type { EnforcementHealth } from "../../src/enforcement/health.js";
import { decodeState, type ChecklistState } from "../../src/state/checklist-state.js";

export { POLICY_PATH, sha, blobId } from "../support/fake-github.js";
export { TEST_APP_ID, examplePayload } from "../support/test-probot.js";

/** A webhook payload as delivered (an example, adjusted). */
type Payload = object;

/** The fields of a written body (a check run, a comment, labels) the tests read; the rest is there too. */
export interface WrittenBody {
  body?: string;
  status?: string;
  conclusion?: string;
  head_sha?: string;
  output?: { title: string; summary: string; text?: string; annotations?: unknown[] };
  [field: string]: unknown;
}

export { CHECKLIST, LAX, POLICY } from "../support/policies.js";

/** Files that put a PR in each tier under POLICY. */
export const FILES = {
  low: [{ filename: "docs/guide.md", status: "modified", additions: 3, deletions: 1 }],
  medium: [{ filename: "src/app.ts", status: "modified", additions: 10, deletions: 2 }],
  high: [{ filename: "src/auth/login.ts", status: "modified", additions: 5, deletions: 5 }],
} satisfies Record<string, FakeFile[]>;

/** `count` plain source files (medium under POLICY while below the size thresholds). */
export function manyFiles(count: number, dir = "src/gen"): FakeFile[] {
  return Array.from({ length: count }, (_, i) => ({
    filename: `${dir}/f${i}.ts`,
    status: "modified" as const,
    additions: 0,
    deletions: 0,
  }));
}

function createProbot(app: Partial<GuardrailsOptions> = {}, logs?: Record<string, unknown>[]): Probot {
  // With `logs`, every JSON log line at info and above is kept (the audit lines among them).
  const log = logs
    ? pino({ level: "info" }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) })
    : pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const probot = new Probot({
    appId: TEST_APP_ID,
    privateKey: TEST_PRIVATE_KEY,
    log,
    Octokit: UnthrottledOctokit,
  });
  void probot.load(
    guardrailsApp({
      appId: TEST_APP_ID,
      stateSecret: TEST_STATE_SECRET,
      enforcementCache: new PinnedEnforcement(),
      ...app,
    }),
  );
  return probot;
}

/**
 * The harness's default: the check is required and pinned, known without a request, so tests of
 * other things see their own requests and summaries. test/github/enforcement-health.test.ts passes
 * a real EnforcementCache and reads the FakeGitHub's rulesets and branch protection.
 */
class PinnedEnforcement extends EnforcementCache {
  override get(target: EnforcementTarget): Promise<EnforcementHealth> {
    return Promise.resolve({
      enforcement: "pinned",
      branch: target.branch,
      required: [],
      bypass: [],
      mergeQueue: false,
      findings: [],
    });
  }
}

/** nock on, network off: call once per test file (each World's app has its own caches). */
export function useFakeGitHubNetwork(): void {
  useNock();
}

export interface WorldOptions {
  /** The policy at the base branch's tip (undefined: no policy file). */
  policy?: string;
  /** The policy in the owner's `.github` repository (undefined: no such repository). */
  orgPolicy?: string;
  ownerType?: "Organization" | "User";
  app?: Partial<GuardrailsOptions>;
  /** Keep the app's log lines in `World.logs`. */
  captureLogs?: boolean;
}

/**
 * One test's GitHub: the examples' repository (Codertocat/Hello-World, default branch master) in
 * a FakeGitHub mounted on nock, and the app loaded in a fresh Probot.
 */
export class World {
  readonly fake = new FakeGitHub(TEST_APP_ID, 1);
  readonly repo: FakeRepository;
  readonly probot: Probot;
  /** The repository object the payloads carry. */
  readonly repository: ExampleRepository;
  private deliveries = 0;
  private readonly appOptions: Partial<GuardrailsOptions>;
  /** The app's log lines (with `captureLogs`), replicas' included. */
  readonly logs: Record<string, unknown>[] = [];
  private readonly captureLogs: boolean;

  constructor(options: WorldOptions = {}) {
    this.repository = examplePayload("pull_request", "opened").repository;
    const [owner, name] = this.repository.full_name.split("/") as [string, string];
    this.repo = this.fake.addRepository({
      owner,
      name,
      ownerType: options.ownerType ?? "User",
      defaultBranch: this.repository.default_branch,
      ...(options.policy !== undefined ? { policy: options.policy } : {}),
    });
    if (options.orgPolicy !== undefined)
      this.fake.addRepository({
        owner,
        name: ".github",
        ownerType: options.ownerType ?? "User",
        policy: options.orgPolicy,
      });
    mountOnNock(this.fake);
    this.appOptions = options.app ?? {};
    this.captureLogs = options.captureLogs === true;
    this.probot = createProbot(options.app, this.captureLogs ? this.logs : undefined);
  }

  get owner(): string {
    return this.repo.owner;
  }
  get name(): string {
    return this.repo.name;
  }
  get base(): string {
    return `/repos/${this.repo.owner}/${this.repo.name}`;
  }

  addPullRequest(input: Partial<FakePullRequest> & { number: number }): FakePullRequest {
    return this.fake.addPullRequest(this.repo, { author: { login: "Codertocat" }, ...input });
  }

  /** Another app process on the same GitHub (a replica, or the app after a restart): no memory shared. */
  replica(options: Partial<GuardrailsOptions> = {}): { receive(name: string, payload: Payload): Promise<void> } {
    const probot = createProbot({ ...this.appOptions, ...options }, this.captureLogs ? this.logs : undefined);
    let deliveries = 0;
    return {
      receive: async (name, payload) =>
        void (await probot.receive({ id: `replica-delivery-${++deliveries}`, name, payload } as never)),
    };
  }

  /** Delivers one event; `id` repeats a delivery (a redelivery carries the same id). */
  async receive(name: string, payload: Payload, id?: string): Promise<void> {
    await this.probot.receive({ id: id ?? `delivery-${++this.deliveries}`, name, payload } as never);
  }

  /** A position in the request log, for `since`. */
  mark(): number {
    return this.fake.requests.length;
  }

  /** The requests after a mark, without the installation token requests (auth plumbing). */
  since(mark = 0): LoggedRequest[] {
    return this.fake.requests.slice(mark).filter((r) => !r.path.endsWith("/access_tokens"));
  }

  /** Requests after a mark as short lines: `METHOD path` (`?page=N` for files, the operation for GraphQL). */
  calls(mark = 0): string[] {
    return this.since(mark).map(describeRequest);
  }

  /** Reads (REST GETs and GraphQL queries) after a mark. */
  readsSince(mark = 0): LoggedRequest[] {
    return this.fake.reads().filter((r) => this.fake.requests.indexOf(r) >= mark);
  }

  /** Writes after a mark. */
  writesSince(mark = 0): LoggedRequest[] {
    return this.fake.writes().filter((w) => this.fake.requests.indexOf(w) >= mark);
  }

  /** The signed state of the app's sticky comment on the PR, as the app reads it (empty without one). */
  signedState(pr: FakePullRequest): ChecklistState {
    const body = pr.comments.find((c) => c.byApp)?.body;
    return decodeState(TEST_STATE_SECRET, { owner: this.owner, repo: this.name, number: pr.number }, body);
  }

  checkRuns(headSha?: string) {
    return this.fake.checkRunsFor(this.repo, headSha);
  }

  // ---- payloads: real examples, adjusted ----

  /** Installation and repository of this world on any example payload. */
  stamp<P extends ExampleBase>(payload: P): P {
    const base: ExampleBase = payload;
    base.installation = { id: this.fake.installationId, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
    base.repository = structuredClone(this.repository);
    return payload;
  }

  pullRequestEvent(
    action: string,
    pr: FakePullRequest,
    adjust: (payload: PullRequestExample) => void = () => undefined,
  ): PullRequestExample {
    const payload = this.stamp(examplePayload("pull_request", action));
    payload.number = pr.number;
    adjustPull(payload.pull_request, pr, this.repository);
    adjust(payload);
    return payload;
  }

  /** `edited` has no example: a `submitted` one is adjusted (action, changes of the body). */
  reviewEvent(
    action: "submitted" | "edited" | "dismissed",
    pr: FakePullRequest,
    review: { user: string; state: string; commit?: string },
  ): ReviewExample {
    const payload = this.stamp(examplePayload("pull_request_review", action === "edited" ? "submitted" : action));
    if (action === "edited") {
      payload.action = "edited";
      payload.changes = { body: { from: "Looks good" } };
    }
    adjustPull(payload.pull_request, pr, this.repository);
    payload.review.user.login = review.user;
    payload.review.state = review.state.toLowerCase();
    payload.review.commit_id = review.commit ?? pr.headSha;
    payload.review.pull_request_url = payload.pull_request.url;
    return payload;
  }

  /**
   * A person's (or bot's) edit of a PR comment, from the `issue_comment.edited` example: the
   * issue becomes the PR (it gets the `pull_request` links of the PR example).
   */
  commentEditedEvent(
    pr: FakePullRequest,
    comment: { id: number; body: string },
    edit: {
      body: string;
      editor: string;
      editorType?: "User" | "Bot";
      author?: string;
      viaAppId?: number | null;
      at?: string;
    },
  ): IssueCommentExample {
    const payload = this.stamp(examplePayload("issue_comment", "edited"));
    const links = examplePayload("pull_request", "opened").pull_request;
    payload.issue.number = pr.number;
    payload.issue.pull_request = {
      url: links.url,
      html_url: links.html_url,
      diff_url: links.diff_url,
      patch_url: links.patch_url,
      merged_at: null,
    };
    payload.comment.id = comment.id;
    payload.comment.body = edit.body;
    payload.comment.updated_at = edit.at ?? "2026-11-23T12:00:00Z";
    payload.comment.user.login = edit.author ?? "guardrails[bot]";
    payload.comment.user.type = (edit.author ?? "guardrails[bot]").endsWith("[bot]") ? "Bot" : "User";
    const viaAppId = edit.viaAppId === undefined ? TEST_APP_ID : edit.viaAppId;
    payload.comment.performed_via_github_app =
      viaAppId === null
        ? null
        : { ...examplePayload("check_run", "rerequested").check_run.app, id: viaAppId, slug: "guardrails" };
    payload.changes = { body: { from: comment.body } };
    payload.sender.login = edit.editor;
    payload.sender.type = edit.editorType ?? "User";
    return payload;
  }

  /**
   * A new comment on the PR (an `issue_comment.created` example, the issue made the PR), e.g. a
   * `/guardrails override` command. `at` defaults to now: after the runs the app has written.
   */
  commentCreatedEvent(
    pr: FakePullRequest,
    comment: {
      id: number;
      body: string;
      author: string;
      authorType?: "User" | "Bot";
      at?: string;
      /** The commenter's `author_association` (the example payload's, OWNER, unless told). */
      association?: string;
    },
  ): IssueCommentExample {
    const payload = this.stamp(
      structuredClone(
        examplePayloads("issue_comment").find((p) => p.action === "created" && p.issue?.pull_request) ??
          examplePayload("issue_comment", "created"),
      ),
    );
    const links = examplePayload("pull_request", "opened").pull_request;
    payload.issue.number = pr.number;
    payload.issue.pull_request = {
      url: links.url,
      html_url: links.html_url,
      diff_url: links.diff_url,
      patch_url: links.patch_url,
      merged_at: null,
    };
    payload.comment.id = comment.id;
    payload.comment.body = comment.body;
    payload.comment.created_at = comment.at ?? new Date().toISOString();
    payload.comment.updated_at = payload.comment.created_at;
    payload.comment.user.login = comment.author;
    payload.comment.user.type = comment.authorType ?? (comment.author.endsWith("[bot]") ? "Bot" : "User");
    payload.comment.performed_via_github_app = null;
    if (comment.association) payload.comment.author_association = comment.association;
    payload.sender.login = comment.author;
    payload.sender.type = payload.comment.user.type;
    return payload;
  }

  /** `check_run.rerequested` or `.requested_action` on a run, listing the PRs unless told otherwise. */
  checkRunEvent(
    action: "rerequested" | "requested_action" | "created",
    run: { id: number; headSha: string },
    options: {
      pullRequests?: FakePullRequest[];
      externalId?: string;
      identifier?: string;
      appId?: number;
      name?: string;
    } = {},
  ): CheckRunExample {
    const payload = this.stamp(examplePayload("check_run", action));
    const check = payload.check_run;
    check.id = run.id;
    check.name = options.name ?? "guardrails";
    check.head_sha = run.headSha;
    check.external_id = options.externalId ?? "";
    check.app.id = options.appId ?? TEST_APP_ID;
    check.check_suite.head_sha = run.headSha;
    check.check_suite.app.id = options.appId ?? TEST_APP_ID;
    check.pull_requests = (options.pullRequests ?? []).map((pr) => this.pullRequestRef(pr));
    if (action === "requested_action") payload.requested_action = { identifier: options.identifier ?? "reevaluate" };
    return payload;
  }

  checkSuiteRerequestedEvent(headSha: string, pullRequests: FakePullRequest[], appId = TEST_APP_ID): CheckSuiteExample {
    const payload = this.stamp(examplePayload("check_suite", "rerequested"));
    payload.check_suite.head_sha = headSha;
    payload.check_suite.app.id = appId;
    payload.check_suite.pull_requests = pullRequests.map((pr) => this.pullRequestRef(pr));
    return payload;
  }

  /** Another app's run completing (`check_run.completed`), listing the PRs GitHub would. */
  checkRunCompletedEvent(
    run: { id: number; headSha: string; name: string; appId: number; appSlug: string; conclusion: string | null },
    pullRequests: FakePullRequest[],
  ): CheckRunExample {
    const payload = this.stamp(examplePayload("check_run", "completed"));
    const check = payload.check_run;
    Object.assign(check, { id: run.id, name: run.name, head_sha: run.headSha, external_id: "", status: "completed" });
    check.conclusion = run.conclusion;
    check.app.id = run.appId;
    check.app.slug = run.appSlug;
    check.check_suite.head_sha = run.headSha;
    check.check_suite.app.id = run.appId;
    check.pull_requests = pullRequests.map((pr) => this.pullRequestRef(pr));
    return payload;
  }

  /** Another app's suite completing (`check_suite.completed`). */
  checkSuiteCompletedEvent(headSha: string, appId: number, pullRequests: FakePullRequest[]): CheckSuiteExample {
    const payload = this.stamp(examplePayload("check_suite", "completed"));
    payload.check_suite.head_sha = headSha;
    payload.check_suite.app.id = appId;
    payload.check_suite.pull_requests = pullRequests.map((pr) => this.pullRequestRef(pr));
    return payload;
  }

  /** A commit status changing (`status`: no PRs listed; the app asks GitHub which PRs have that head). */
  statusEvent(sha: string, context: string, state: "success" | "failure" | "error" | "pending"): ExampleBase {
    const payload = this.stamp(examplePayload("status")) as ExampleBase & Record<string, unknown>;
    Object.assign(payload, { sha, context, state, target_url: `https://ci.example.com/${context}` });
    return payload;
  }

  mergeGroupEvent(prNumber: number, groupSha: string): MergeGroupExample {
    const payload = this.stamp(examplePayload("merge_group", "checks_requested"));
    const group = payload.merge_group;
    group.head_sha = groupSha;
    group.head_ref = group.head_ref
      .replace(/\/pr-\d+-/, `/pr-${prNumber}-`)
      .replace("/main/", `/${this.repo.defaultBranch}/`);
    group.base_ref = `refs/heads/${this.repo.defaultBranch}`;
    return payload;
  }

  /** A push to a branch, one commit per entry with the paths it touched. */
  pushEvent(branch: string, commits: { added?: string[]; modified?: string[]; removed?: string[] }[]): PushExample {
    const payload = this.stamp(branchPushExample());
    payload.ref = `refs/heads/${branch}`;
    const template = payload.commits[0];
    payload.commits = commits.map((c, i) => ({
      ...structuredClone(template),
      id: `${i}`.padStart(40, "a"),
      added: c.added ?? [],
      modified: c.modified ?? [],
      removed: c.removed ?? [],
    }));
    return payload;
  }

  /** An entry of a check run's or suite's `pull_requests`, from the check_run example's entry. */
  private pullRequestRef(pr: FakePullRequest): ExamplePullRequestRef {
    const [template] = examplePayload("check_run", "created").check_run.pull_requests;
    if (!template) throw new Error("the check_run example lists no pull request");
    const ref = structuredClone(template);
    ref.number = pr.number;
    ref.head.sha = pr.headSha;
    ref.head.ref = pr.headRef;
    ref.base.ref = pr.baseRef;
    ref.base.repo.id = this.repository.id;
    return ref;
  }
}

/** The push example of a branch with listed commits (the others push tags or delete). */
function branchPushExample(): PushExample {
  const found = examplePayloads("push").find(
    (p) => p.ref.startsWith("refs/heads/") && p.deleted === false && p.commits.length > 0,
  );
  if (!found) throw new Error("no push example of a branch with commits");
  return found;
}

function adjustPull(pull: ExamplePullRequest, pr: FakePullRequest, repository: ExampleRepository): void {
  pull.number = pr.number;
  pull.title = pr.title;
  pull.body = pr.body;
  pull.head.sha = pr.headSha;
  pull.head.ref = pr.headRef;
  pull.base.ref = pr.baseRef;
  pull.base.repo = structuredClone(repository);
  pull.user.login = pr.author.login;
  if ("changed_files" in pull) pull.changed_files = pr.files.length;
  const template = examplePayload("pull_request", "labeled").label;
  if (!template) throw new Error("the labeled example has no label");
  pull.labels = pr.labels.map((name) => ({
    ...template,
    name,
    url: template.url.replace(/[^/]+$/, encodeURIComponent(name)),
  }));
}

export function describeRequest(r: LoggedRequest): string {
  if (r.path === "/graphql") return `POST /graphql ${r.operation}`;
  const page = r.path.endsWith("/files") && r.query.page ? `?page=${r.query.page}` : "";
  return `${r.method} ${r.path}${page}`;
}

/** Order-insensitive comparison of request lines (parallel requests have no order). */
export function sorted(lines: string[]): string[] {
  return [...lines].sort();
}

/** The body of a logged request, typed loosely for assertions. */
export function bodyOf(r: LoggedRequest | undefined): WrittenBody {
  if (!r) throw new Error("no such request");
  return (r.body ?? {}) as WrittenBody;
}

export const REEVALUATE = {
  label: "Re-evaluate",
  description: "Run the Guardrails evaluation again",
  identifier: "reevaluate",
};

/** The check run writes (creations and updates) among some requests. */
export function checkWrites(requests: LoggedRequest[]): LoggedRequest[] {
  return requests.filter((r) => r.method !== "GET" && /\/check-runs(\/\d+)?$/.test(r.path));
}

/** The body a completed check run is written with, for `toEqual` (the summary as fragments it contains). */
export function completedCheck(expected: {
  conclusion: "success" | "failure";
  title: string;
  summary?: string[];
  text?: string[];
  externalId?: string;
}) {
  return {
    status: "completed",
    conclusion: expected.conclusion,
    completed_at: expect.any(String),
    external_id: expected.externalId ?? expect.any(String),
    output: {
      title: expected.title,
      summary: allOf(expected.summary ?? []),
      text: allOf(expected.text ?? []),
    },
    actions: [REEVALUATE],
  };
}

/** A string containing every fragment. */
function allOf(fragments: string[]) {
  return fragments.length === 0
    ? expect.any(String)
    : expect.stringMatching(new RegExp(`^(?=[\\s\\S]*${fragments.map(escapeRegExp).join(")(?=[\\s\\S]*")})`));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
