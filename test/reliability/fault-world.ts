/**
 * One isolated world per fault-matrix cell: a GitHub stand-in on 127.0.0.1 with an organisation
 * and one pull request, and the app in an in-process Probot configured exactly as the server
 * configures it (Probot's real retry and throttling plugins through guardrailsOctokit(), the
 * timeout and JSON checks of githubFetch()). Each world has its own owner, repository and
 * installation id, so worlds run side by side without sharing a throttling queue, a label cache
 * or a policy cache.
 */
import { Probot } from "probot";
import { pino } from "pino";
import { guardrailsApp } from "../../src/webhooks/app.js";
import { renderChecklistComment } from "../../src/render/checklist-comment.js";
import { guardrailsOctokit } from "../../src/github/github-client.js";
import { githubFetch } from "../../src/github/fetch.js";
import {
  FakeGitHub,
  sha,
  type FakeCheckRun,
  type FakePullRequest,
  type FakeRepository,
} from "../support/fake-github.js";
import { GitHubStandIn, type FaultRule, type StandInRequest } from "../support/github-stand-in.js";
import { examplePayload, TEST_APP_ID, TEST_PRIVATE_KEY, TEST_STATE_SECRET } from "../support/test-probot.js";
import type { PullRequestExample } from "../support/example-types.js";

export const CHECKLIST_ITEM = "Rollback plan is described in the PR";

/**
 * High for src/auth/**, with every kind of requirement that costs a request: tests (waived by
 * the exempt label, whose applier's permission is asked), an approver team (whose membership is
 * asked) and a checklist (kept in the app's comment).
 */
export const MATRIX_POLICY = `version: 1
default_tier: low
rules:
  - name: auth
    tier: high
    paths: ["src/auth/**"]
tests:
  source: ["src/**"]
  tests: ["test/**"]
  exempt_label: no-tests-needed
tiers:
  high:
    approvals: 1
    tests: true
    approvers:
      - teams: [security]
    checklist:
      - ${CHECKLIST_ITEM}
labels:
  prefix: "risk:"
`;

export const FAILED_TITLE = "Evaluation failed · the pull request is blocked until it succeeds";
export const PASSED_TITLE = "High risk · all 5 requirements met";

/** One request as it reached the stand-in, with when. */
export interface Attempt {
  at: number;
  method: string;
  path: string;
  key: string;
}

export interface WorldOptions {
  index: number;
  /** The app's comment exists with the checklist ticked by alice (else: no comment yet). */
  ticked: boolean;
  requestTimeoutMs: number;
}

export class FaultWorld {
  readonly fake: FakeGitHub;
  readonly standIn: GitHubStandIn;
  readonly repo: FakeRepository;
  readonly pr: FakePullRequest;
  readonly installationId: number;
  readonly logs: string[] = [];
  private probot: Probot | undefined;

  constructor(private readonly options: WorldOptions) {
    this.installationId = 50_000 + options.index;
    this.fake = new FakeGitHub(TEST_APP_ID, this.installationId);
    this.standIn = new GitHubStandIn({ fake: this.fake });
    const owner = `acme-${options.index}`;
    this.repo = this.fake.addRepository({
      owner,
      name: "payments",
      ownerType: "Organization",
      policy: MATRIX_POLICY,
      defaultBranch: "main",
    });
    this.repo.collaborators = { alice: "write", bob: "write" };
    this.repo.teams = { security: ["bob"] };
    const headSha = sha(`${owner}/payments#2`);
    this.pr = this.fake.addPullRequest(this.repo, {
      number: 2,
      headSha,
      author: { login: "dev" },
      files: [{ filename: "src/auth/login.ts", status: "modified", additions: 12, deletions: 3 }],
      // A stale tier label (removed) and the exempt label applied by alice (write access).
      labels: ["no-tests-needed", "risk:low"],
      labelEvents: [
        { label: "risk:low", actor: "guardrails[bot]" },
        { label: "no-tests-needed", actor: "alice" },
      ],
      reviews: [{ user: "bob", state: "APPROVED", commit: headSha, association: "MEMBER" }],
    });
    if (options.ticked) {
      // An earlier rendering (another tier line), so this evaluation updates it; alice's tick is signed.
      const body = renderChecklistComment(
        TEST_STATE_SECRET,
        { owner, repo: "payments", number: 2 },
        {
          tierLabel: "medium risk",
          items: [CHECKLIST_ITEM],
          state: { ticks: { [CHECKLIST_ITEM]: { by: "alice", at: "2026-11-20T10:00:00Z" } } },
        },
      );
      this.pr.comments.push({ id: this.fake.id(), body, user: "guardrails[bot]", byApp: true });
    }
  }

  async start(): Promise<this> {
    await this.standIn.start();
    const lines = this.logs;
    this.probot = new Probot({
      appId: TEST_APP_ID,
      privateKey: TEST_PRIVATE_KEY,
      baseUrl: this.standIn.baseUrl,
      log: pino({ level: "info" }, { write: (line: string) => void lines.push(line) }),
      Octokit: guardrailsOctokit(),
      request: { fetch: githubFetch(this.options.requestTimeoutMs) },
    });
    await this.probot.load(guardrailsApp({ appId: TEST_APP_ID, stateSecret: TEST_STATE_SECRET }));
    return this;
  }

  stop(): Promise<void> {
    return this.standIn.stop();
  }

  /** Injects `fault` into every request that `rule` matches, recording each attempt. */
  inject(rule: Omit<FaultRule, "when" | "hits">, attempts: Attempt[]): FaultRule {
    return this.standIn.addFault({
      ...rule,
      when: (request: StandInRequest) => {
        attempts.push({
          at: Date.now(),
          method: request.method,
          path: request.path,
          key: `${request.method} ${request.path}?${new URLSearchParams(request.query).toString()} ${JSON.stringify(request.body ?? null)}`,
        });
        return true;
      },
    });
  }

  /** `pull_request.opened` from the real example, pointed at this world. */
  openedPayload(): PullRequestExample {
    const payload = examplePayload("pull_request", "opened");
    payload.installation = { id: this.installationId };
    Object.assign(payload.repository, {
      id: this.repo.id,
      name: this.repo.name,
      full_name: `${this.repo.owner}/${this.repo.name}`,
      default_branch: "main",
    });
    Object.assign(payload.repository.owner, { login: this.repo.owner, type: "Organization" });
    payload.number = this.pr.number;
    Object.assign(payload.pull_request, { number: this.pr.number, changed_files: this.pr.files.length });
    Object.assign(payload.pull_request.head, { sha: this.pr.headSha, ref: this.pr.headRef });
    payload.pull_request.base.ref = "main";
    payload.pull_request.user.login = this.pr.author.login;
    return payload;
  }

  receive(name: string, payload: object, id = `delivery-${Math.random().toString(36).slice(2)}`): Promise<void> {
    if (!this.probot) throw new Error("world not started");
    return this.probot.receive({ id, name, payload } as never);
  }

  /** The head's runs, newest first. */
  runs(): FakeCheckRun[] {
    return this.fake.checkRunsFor(this.repo, this.pr.headSha).sort((a, b) => b.id - a.id);
  }

  /** Conclusions of every check-run write that reached GitHub. */
  writtenConclusions(): (string | undefined)[] {
    return this.fake.requests
      .filter((r) => /\/check-runs(\/\d+)?$/.test(r.path) && r.method !== "GET")
      .map((r) => (r.body as { conclusion?: string } | undefined)?.conclusion);
  }
}
