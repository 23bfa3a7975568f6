/**
 * Order and load against the built server (`node dist/server.js`, production mode, JSON logs)
 * and the GitHub stand-in: 200 pull requests, each in its own repository and installation, get
 * 1000 signed webhooks in a burst: opened; two pushes whose synchronize events arrive newest
 * first; a review that races the second push (submitted on the commit the push replaced, or on
 * the new head); a redelivery of a synchronize with the same delivery id. GitHub's state moves
 * on while the events are in flight, as it does.
 *
 * At the end every PR's newest head has exactly one completed check with the conclusion and
 * title its final state calls for, the PR has exactly one risk label and exactly one checklist
 * comment when its tier needs one (none otherwise), the server logged no error, its peak RSS
 * stayed under a bound, and its output holds no private key, token or webhook secret.
 * Set LOAD_REPORT_OUT=path to write the figures as JSON (docs/reliability.md quotes them).
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { readFileSync, writeFileSync } from "node:fs";
import { FakeGitHub, sha, type FakeFile, type FakePullRequest, type FakeRepository } from "../support/fake-github.js";
import { GitHubStandIn } from "../support/github-stand-in.js";
import { POLICY } from "../support/policies.js";
import { forPullRequest } from "../support/payloads.js";
import { ServerProcess } from "../support/server-process.js";
import { examplePayload } from "../support/test-probot.js";

const APP_ID = 5151;
const PULL_REQUESTS = 200;
/** Deliveries in flight at once (GitHub sends many at a time too). */
const SENDERS = 32;
/** Peak resident memory the server may reach (it idles at about 90 MB). */
const RSS_BOUND_MB = 400;

const DOCS: FakeFile[] = [{ filename: "docs/guide.md", status: "modified", additions: 3, deletions: 1 }];
const APP: FakeFile[] = [{ filename: "src/app.ts", status: "modified", additions: 10, deletions: 2 }];
const AUTH: FakeFile[] = [{ filename: "src/auth/login.ts", status: "modified", additions: 5, deletions: 5 }];

/**
 * What each PR does: its files at the first and the last head, and whether the racing review is
 * on the last head (it counts) or on the head the last push replaced (it does not).
 */
interface Kind {
  name: string;
  first: FakeFile[];
  last: FakeFile[];
  reviewOnLastHead: boolean;
  expected: { tier: "low" | "medium" | "high"; conclusion: "success" | "failure"; title: string };
}

const KINDS: Kind[] = [
  {
    name: "docs",
    first: DOCS,
    last: DOCS,
    reviewOnLastHead: false,
    expected: { tier: "low", conclusion: "success", title: "Low risk · all 1 requirements met" },
  },
  {
    name: "code, approved on the last head",
    first: APP,
    last: APP,
    reviewOnLastHead: true,
    expected: { tier: "medium", conclusion: "success", title: "Medium risk · all 2 requirements met" },
  },
  {
    name: "code, approval raced by a push",
    first: APP,
    last: APP,
    reviewOnLastHead: false,
    expected: { tier: "medium", conclusion: "failure", title: "Medium risk · missing: 1 more approval" },
  },
  {
    name: "auth, approved",
    first: AUTH,
    last: AUTH,
    reviewOnLastHead: true,
    expected: { tier: "high", conclusion: "failure", title: "High risk · missing: checklist (0/2)" },
  },
  {
    name: "docs, then auth pushed",
    first: DOCS,
    last: [...DOCS, ...AUTH],
    reviewOnLastHead: true,
    expected: { tier: "high", conclusion: "failure", title: "High risk · missing: checklist (0/2)" },
  },
  {
    name: "auth, then reverted to docs",
    first: AUTH,
    last: DOCS,
    reviewOnLastHead: false,
    expected: { tier: "low", conclusion: "success", title: "Low risk · all 1 requirements met" },
  },
];

interface Subject {
  index: number;
  kind: Kind;
  installationId: number;
  repo: FakeRepository;
  pr: FakePullRequest;
  heads: [string, string, string];
}

interface Delivery {
  event: string;
  payload: object;
  id: string;
}

const fake = new FakeGitHub(APP_ID, 1);
const standIn = new GitHubStandIn({ fake });
let server: ServerProcess;
const subjects: Subject[] = [];
const figures: Record<string, number | string> = {};
let peakRssKb = 0;

/** A real `pull_request` example payload pointed at a subject's repository, installation and PR at `head`. */
const payloadFor = (subject: Subject, action: string, head: string) =>
  forPullRequest(examplePayload("pull_request", action), subject.repo, subject.installationId, subject.pr, head);

/** The same for a submitted review. */
const reviewPayloadFor = (subject: Subject, head: string) =>
  forPullRequest(
    examplePayload("pull_request_review", "submitted"),
    subject.repo,
    subject.installationId,
    subject.pr,
    head,
  );

function currentRssKb(): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.child.pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** At most SENDERS deliveries in flight, across all PRs. */
function limiter(limit: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(job: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await job();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

function sampleRss(): void {
  try {
    const status = readFileSync(`/proc/${server.child.pid}/status`, "utf8");
    const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
    peakRssKb = Math.max(peakRssKb, hwm);
  } catch {
    // not Linux, or the process is gone
  }
}

/** Sends the burst and waits until it has settled, recording the figures. */
async function burst(started: number): Promise<void> {
  // The burst: each PR is opened at its first head; once that delivery is answered, two pushes
  // and a review land on GitHub and their events follow, the older push's after the newer one's,
  // and one delivery comes twice. Other PRs' deliveries interleave throughout.
  const send = limiter(SENDERS);
  const deliver = (d: Delivery) =>
    send(() => server.sendWebhook(d.event, d.payload, { delivery: d.id })).then((answer) => answer.status);
  const perPullRequest = await Promise.all(
    subjects.map(async (s) => {
      const { pr, heads, kind } = s;
      const statuses = [
        await deliver({
          event: "pull_request",
          payload: payloadFor(s, "opened", heads[0]),
          id: `open-${s.index}`,
        }),
      ];
      pr.headSha = heads[2];
      pr.files = kind.last;
      pr.commitMessages.push("second", "third");
      const reviewed = kind.reviewOnLastHead ? heads[2] : heads[1];
      pr.reviews.push({ user: "reviewer", state: "APPROVED", commit: reviewed, association: "MEMBER" });
      const review = reviewPayloadFor(s, heads[2]);
      Object.assign(review.review, { state: "approved", commit_id: reviewed, author_association: "MEMBER" });
      review.review.user.login = "reviewer";
      const newest: Delivery = {
        event: "pull_request",
        payload: payloadFor(s, "synchronize", heads[2]),
        id: `sync-${s.index}-3`,
      };
      const older: Delivery = {
        event: "pull_request",
        payload: payloadFor(s, "synchronize", heads[1]),
        id: `sync-${s.index}-2`,
      };
      // Sent together: they reach the server in any order.
      const rest = await Promise.all(
        [newest, older, { event: "pull_request_review", payload: review, id: `review-${s.index}` }, newest].map(
          deliver,
        ),
      );
      return [...statuses, ...rest];
    }),
  );
  const statuses = perPullRequest.flat();
  figures.eventsDelivered = statuses.length;
  figures.answered2xx = statuses.filter((status) => status === 200 || status === 202).length;

  // Wait until the server has nothing in flight and every newest head has its completed check.
  const deadline = Date.now() + 150_000;
  for (;;) {
    const health = JSON.parse((await server.request("GET", "/healthz")).body) as { inFlight: number };
    const done = subjects.every((s) => fake.checkRunsFor(s.repo, s.heads[2]).some((run) => run.status === "completed"));
    if (health.inFlight === 0 && done) break;
    if (Date.now() > deadline) throw new Error(`the burst did not settle: ${health.inFlight} evaluations in flight`);
    if (server.child.exitCode !== null)
      throw new Error(`the server exited (${server.child.exitCode}):\n${server.lines.slice(-20).join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  sampleRss();
  figures.wallSeconds = Math.round((Date.now() - started) / 100) / 10;
  figures.evaluations = server.logs().filter((line) => line.msg === "decision").length;
  figures.githubRequests = fake.requests.length;
  figures.githubWrites = fake.writes().length;
  figures.peakRssMB = Math.round(peakRssKb / 1024);
  figures.settledRssMB = Math.round(currentRssKb() / 1024);
  if (process.env.LOAD_REPORT_OUT) writeFileSync(process.env.LOAD_REPORT_OUT, `${JSON.stringify(figures, null, 2)}\n`);
}

beforeAll(async () => {
  for (let i = 0; i < PULL_REQUESTS; i++) {
    const kind = KINDS[i % KINDS.length]!;
    const repo = fake.addRepository({
      owner: `load-${i}`,
      name: "service",
      ownerType: "Organization",
      policy: POLICY,
      defaultBranch: "main",
    });
    const heads: [string, string, string] = [sha(`load-${i}@1`), sha(`load-${i}@2`), sha(`load-${i}@3`)];
    const pr = fake.addPullRequest(repo, {
      number: 1 + (i % 7),
      headSha: heads[0],
      author: { login: "dev" },
      files: kind.first,
      title: `Change ${i}`,
    });
    subjects.push({ index: i, kind, installationId: 10_000 + i, repo, pr, heads });
  }
  await standIn.start();
  server = await ServerProcess.start({
    appId: APP_ID,
    githubHost: standIn.host,
    env: {
      WEBHOOK_RESPONSE_TIMEOUT_MS: "500",
      ...(process.env.LOAD_NODE_OPTIONS ? { NODE_OPTIONS: process.env.LOAD_NODE_OPTIONS } : {}),
    },
  });
  sampleRss();
  figures.startRssMB = Math.round(peakRssKb / 1024);
  const started = Date.now();
  const sampler = setInterval(sampleRss, 100);
  sampler.unref();
  try {
    await burst(started);
  } finally {
    clearInterval(sampler);
  }
}, 240_000);

afterAll(async () => {
  await server?.stop().catch(() => undefined);
  await standIn.stop();
});

describe(`a burst of ${PULL_REQUESTS * 5} events for ${PULL_REQUESTS} pull requests, out of order, duplicated, racing`, () => {
  it("every delivery was accepted", () => {
    expect(figures.eventsDelivered).toBe(PULL_REQUESTS * 5);
    expect(figures.answered2xx).toBe(PULL_REQUESTS * 5);
  });

  it.each(KINDS.map((kind) => [kind.name, kind] as const))(
    "%s: the newest head has one completed check with the right result",
    (_name, kind) => {
      const mine = subjects.filter((s) => s.kind === kind);
      expect(mine.length).toBeGreaterThan(30);
      for (const s of mine) {
        const runs = fake.checkRunsFor(s.repo, s.heads[2]);
        expect(runs).toHaveLength(1);
        expect(runs[0]).toMatchObject({
          name: "guardrails",
          status: "completed",
          conclusion: kind.expected.conclusion,
          title: kind.expected.title,
        });
      }
    },
  );

  it("no run is left in progress on any head, and the stale heads of the events got no run of their own", () => {
    for (const s of subjects) {
      for (const run of fake.checkRunsFor(s.repo)) expect(run.status).toBe("completed");
      // The second head was never the PR's head when the app looked: its (late) event wrote nothing there.
      expect(fake.checkRunsFor(s.repo, s.heads[1])).toEqual([]);
    }
  });

  it("every PR has exactly one risk label, its tier's", () => {
    for (const s of subjects)
      expect(s.pr.labels.filter((label) => label.startsWith("risk:"))).toEqual([`risk:${s.kind.expected.tier}`]);
  });

  it("every PR that needs a checklist has exactly one checklist comment; the others have none or one that says it is no longer needed", () => {
    for (const s of subjects) {
      const own = s.pr.comments.filter((c) => c.byApp);
      if (s.kind.expected.tier === "high") {
        expect(own).toHaveLength(1);
        expect(own[0]!.body).toContain("- [ ] Rollback plan is described in the PR");
      } else {
        expect(own.length).toBeLessThanOrEqual(1);
        for (const comment of own)
          expect(comment.body).toContain("No checklist is required for this pull request any more.");
      }
    }
  });

  it("the server logged no error and no unhandled rejection", () => {
    const errors = server
      .logs()
      .filter((line) => (line.level ?? 0) >= 50 || /unhandled|uncaught/i.test(String(line.msg)));
    expect(errors).toEqual([]);
  });

  it(`the server's peak RSS stayed under ${RSS_BOUND_MB} MB`, () => {
    // VmHWM is Linux's high-water mark of the process's resident memory.
    expect(peakRssKb).toBeGreaterThan(0);
    expect(peakRssKb / 1024).toBeLessThan(RSS_BOUND_MB);
  });

  it("the logs never contain the private key, an installation token or the webhook secret", () => {
    const output = server.output();
    expect(fake.requests.filter((r) => r.path.endsWith("/access_tokens")).length).toBeGreaterThanOrEqual(PULL_REQUESTS);
    expect(output).not.toContain("ghs_test_token_");
    expect(output).not.toContain(server.webhookSecret!);
    expect(output).not.toContain("PRIVATE KEY");
    for (const line of server.privateKey.split("\n").filter((l) => l.length > 40)) expect(output).not.toContain(line);
  });
});
