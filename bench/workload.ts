/**
 * The workload of the end-to-end and scale-out benchmarks: tenants (one installation with one
 * repository each, every repository with its own policy), pull requests of realistic sizes, and
 * the webhook deliveries of their lives (opened, synchronize, review submitted, redelivery), built
 * from the real @octokit/webhooks-examples payloads and adjusted to the FakeGitHub behind the
 * stand-in. Each delivery changes the fake first (a new head, a new review), as GitHub would have
 * before sending it.
 *
 * CheckCompletions wraps the fake's request handler to timestamp every write that leaves a check
 * run completed: the moment GitHub would show the check.
 */
import { randomUUID } from "node:crypto";
import {
  FakeGitHub,
  sha,
  type FakeFile,
  type FakePullRequest,
  type FakeRepository,
} from "../test/support/fake-github.js";
import { forPullRequest } from "../test/support/payloads.js";
import { examplePayload } from "../test/support/test-probot.js";
import type { PullRequestExample, ReviewExample } from "../test/support/example-types.js";

export const BENCH_APP_ID = 4242;
export const FIRST_INSTALLATION_ID = 10_000;
export const CHECKLIST_ITEM = "Rollback plan is described in the PR";

/** Every tenant's policy: docs low, the rest medium, auth and infrastructure high with a checklist. */
export const BENCH_POLICY = `version: 1
default_tier: medium
rules:
  - name: docs
    tier: low
    paths: ["docs/**", "**/*.md"]
  - name: auth
    description: Authentication, sessions and infrastructure
    tier: high
    paths: ["src/auth/**", "infra/**"]
size:
  ignore: ["**/*.lock", "**/__snapshots__/**"]
  high: { lines: 5000, files: 400 }
tiers:
  low: {}
  medium: { approvals: 1, tests: true }
  high:
    approvals: 1
    tests: true
    checklist:
      - ${CHECKLIST_ITEM}
labels:
  prefix: "risk:"
`;

export type EventKind = "opened" | "synchronize" | "review" | "redelivery";

export interface Delivery {
  kind: EventKind;
  event: "pull_request" | "pull_request_review";
  payload: object;
  delivery: string;
}

export interface Tenant {
  installationId: number;
  repo: FakeRepository;
  /** The PR that synchronize and review events go to: the one opened last. */
  current?: BenchPullRequest;
  /** The PR of the last delivery, for a redelivery. */
  lastDelivered?: BenchPullRequest;
}

/** Example payloads, cloned once (examplePayload clones every example of an event per call). */
const templates = {
  opened: examplePayload("pull_request", "opened"),
  synchronize: examplePayload("pull_request", "synchronize"),
  review: examplePayload("pull_request_review", "submitted"),
};

/** Changed-file counts, cycled over PRs: mostly small, some large (two and three files pages). */
const FILE_COUNTS = [4, 7, 12, 3, 25, 9, 60, 150, 5, 18, 2, 240];

export class Workload {
  readonly fake: FakeGitHub;
  readonly tenants: Tenant[] = [];
  private prCount = 0;

  constructor(installations: number) {
    this.fake = new FakeGitHub(BENCH_APP_ID, FIRST_INSTALLATION_ID);
    for (let i = 0; i < installations; i++) {
      // Every repository has its own policy file (its own blob), as in real life.
      const policy = `# Guardrails policy of tenant-${i}/service\n${BENCH_POLICY}`;
      const repo = this.fake.addRepository({
        owner: `tenant-${i}`,
        name: "service",
        ownerType: "Organization",
        policy,
        defaultBranch: "main",
      });
      this.tenants.push({ installationId: FIRST_INSTALLATION_ID + i, repo });
    }
  }

  /**
   * The next delivery of a tenant: opened makes a new PR (the tenant's current one), synchronize
   * and review go to the current PR, a redelivery repeats the tenant's last delivery.
   */
  deliveryFor(tenant: Tenant, planned: EventKind): { pr: BenchPullRequest; delivery: Delivery } {
    let kind = planned;
    let pr: BenchPullRequest;
    if (kind === "opened" || !tenant.current) {
      pr = tenant.current = this.newPullRequest(tenant);
      kind = "opened";
    } else if (kind === "redelivery") {
      pr = tenant.lastDelivered ?? tenant.current;
      // Nothing delivered yet: nothing to redeliver.
      if (!pr.delivered) kind = "synchronize";
    } else {
      pr = tenant.current;
    }
    const delivery = pr.next(kind);
    tenant.lastDelivered = pr;
    return { pr, delivery };
  }

  /** A new open PR in a tenant's repository; every fourth one touches src/auth (high, with a checklist). */
  newPullRequest(tenant: Tenant): BenchPullRequest {
    const index = this.prCount++;
    const high = index % 4 === 3;
    const count = FILE_COUNTS[index % FILE_COUNTS.length]!;
    const number = 1 + tenant.repo.pulls.size;
    const pr = this.fake.addPullRequest(tenant.repo, {
      number,
      title: `Change ${index}`,
      body: "What changed and why.",
      headSha: sha(`${tenant.repo.owner}#${number}@0`),
      author: { login: `dev-${index % 17}` },
      files: changedFiles(index, count, high),
    });
    return new BenchPullRequest(tenant, pr, high);
  }
}

function changedFiles(index: number, count: number, high: boolean): FakeFile[] {
  const module = `module-${index % 23}`;
  const files: FakeFile[] = [
    { filename: `test/${module}/feature-${index}.test.ts`, status: "added", additions: 40, deletions: 0 },
  ];
  if (high) files.push({ filename: `src/auth/session-${index}.ts`, status: "modified", additions: 12, deletions: 4 });
  for (let i = files.length; i < count; i++) {
    files.push({
      filename: i % 9 === 8 ? `docs/${module}/page-${i}.md` : `src/${module}/part-${Math.floor(i / 10)}/file-${i}.ts`,
      status: "modified",
      additions: 6,
      deletions: 2,
    });
  }
  return files;
}

/** One PR of the workload and the deliveries of its life. */
export class BenchPullRequest {
  private revision = 0;
  private reviews = 0;
  private last: Delivery | undefined;

  constructor(
    readonly tenant: Tenant,
    readonly pr: FakePullRequest,
    /** Touches a high-risk path: needs the checklist comment. */
    readonly high: boolean,
  ) {}

  get delivered(): boolean {
    return this.last !== undefined;
  }

  /** `owner/repo@head`: the key of CheckCompletions. */
  get headKey(): string {
    return `${this.tenant.repo.owner}/${this.tenant.repo.name}@${this.pr.headSha}`.toLowerCase();
  }

  get name(): string {
    return `${this.tenant.repo.owner}/${this.tenant.repo.name}#${this.pr.number}`;
  }

  /** Makes the change on the fake and returns the delivery GitHub would send for it. */
  next(kind: EventKind): Delivery {
    let delivery: Delivery;
    switch (kind) {
      case "opened":
        delivery = {
          kind,
          event: "pull_request",
          payload: this.pullRequestPayload(templates.opened),
          delivery: randomUUID(),
        };
        break;
      case "synchronize": {
        const before = this.pr.headSha;
        this.revision++;
        this.pr.headSha = sha(`${this.name}@${this.revision}`);
        this.pr.files.push({
          filename: `src/module-${this.pr.number % 23}/followup-${this.revision}.ts`,
          status: "added",
          additions: 20,
          deletions: 0,
        });
        this.pr.commitMessages.push(`Follow-up ${this.revision}`);
        const payload = this.pullRequestPayload(templates.synchronize);
        payload.before = before;
        payload.after = this.pr.headSha;
        delivery = { kind, event: "pull_request", payload, delivery: randomUUID() };
        break;
      }
      case "review": {
        const reviewer = `reviewer-${++this.reviews}`;
        this.pr.reviews.push({ user: reviewer, state: "APPROVED", commit: this.pr.headSha, association: "MEMBER" });
        const payload = this.pullRequestPayload(templates.review);
        payload.review.user.login = reviewer;
        payload.review.state = "approved";
        payload.review.commit_id = this.pr.headSha;
        delivery = { kind, event: "pull_request_review", payload, delivery: randomUUID() };
        break;
      }
      case "redelivery":
        if (!this.last) throw new Error(`${this.name}: nothing to redeliver`);
        // The same delivery again: same id, same body.
        return { ...this.last, kind };
    }
    this.last = delivery;
    return delivery;
  }

  private pullRequestPayload<P extends PullRequestExample | ReviewExample>(template: P): P {
    const { repo, installationId } = this.tenant;
    const payload = forPullRequest(structuredClone(template), repo, installationId, this.pr);
    payload.sender.login = this.pr.author.login;
    payload.pull_request.state = "open";
    payload.pull_request.labels = [];
    return payload;
  }
}

/** Timestamps (performance.now()) of the writes that left a check run completed, by `owner/repo@head`. */
export class CheckCompletions {
  private readonly times = new Map<string, number[]>();

  constructor(fake: FakeGitHub) {
    const handle = fake.handle.bind(fake);
    fake.handle = (method, rawPath, body) => {
      const answer = handle(method, rawPath, body);
      if (
        (method === "POST" || method === "PATCH") &&
        answer.status < 300 &&
        /\/check-runs(\/\d+)?(\?|$)/.test(rawPath)
      ) {
        const id = (answer.body as { id?: number } | undefined)?.id;
        const run = id === undefined ? undefined : this.run(fake, id);
        if (run?.status.toLowerCase() === "completed") {
          const key = `${run.repo}@${run.headSha}`.toLowerCase();
          let list = this.times.get(key);
          if (!list) this.times.set(key, (list = []));
          list.push(performance.now());
        }
      }
      return answer;
    };
  }

  /** The first completion of the head's check at or after `since`. */
  firstAfter(headKey: string, since: number): number | undefined {
    return this.times.get(headKey)?.find((t) => t >= since);
  }

  private run(fake: FakeGitHub, id: number) {
    // Newest runs last: search from the end.
    for (let i = fake.checkRuns.length - 1; i >= 0; i--) if (fake.checkRuns[i]!.id === id) return fake.checkRuns[i];
    return undefined;
  }
}
