/**
 * GitHub calls and round trips per evaluation, measured on the real app (in-process Probot, real
 * Octokit over HTTP) against the GitHub stand-in on 127.0.0.1.
 *
 * Round trips: every request's start and end are recorded; a request's depth is one more than the
 * deepest request that had finished before it started. The deepest request is the number of
 * sequential round trips the evaluation needed. Throttling is off here: it adds waiting, not
 * dependencies (the end-to-end benchmark measures the app with it on).
 */
import { pino } from "pino";
import { Probot } from "probot";
import { guardrailsApp } from "../src/webhooks/app.js";
import { pagesFor } from "../src/github/files.js";
import { FakeGitHub, type FakeFile } from "../test/support/fake-github.js";
import { startGitHubStandIn, type GitHubStandIn } from "../test/support/github-stand-in.js";
import { examplePayload, TEST_APP_ID, TEST_PRIVATE_KEY, UnthrottledOctokit } from "../test/support/test-probot.js";
import type { Figure } from "./report.js";

const POLICY = `version: 1
rules:
  - name: docs
    tier: low
    paths: ["docs/**"]
  - name: core
    tier: medium
    paths: ["src/**"]
tiers:
  medium: { approvals: 1 }
`;

interface Timed {
  start: number;
  end: number;
  method: string;
  url: string;
}

/** Probot whose Octokit records each request's start and end. */
function instrumentedProbot(standIn: GitHubStandIn, timeline: Timed[]): Probot {
  const timedFetch: typeof fetch = async (input, init) => {
    const entry: Timed = {
      start: performance.now(),
      end: Number.POSITIVE_INFINITY,
      method: init?.method ?? "GET",
      url: input instanceof Request ? input.url : input.toString(),
    };
    timeline.push(entry);
    try {
      return await fetch(input, init);
    } finally {
      entry.end = performance.now();
    }
  };
  const probot = new Probot({
    appId: TEST_APP_ID,
    privateKey: TEST_PRIVATE_KEY,
    baseUrl: standIn.baseUrl,
    log: pino({ level: "silent" }),
    Octokit: UnthrottledOctokit,
    request: { fetch: timedFetch },
  });
  void probot.load(guardrailsApp({ appId: TEST_APP_ID, stateSecret: "bench" }));
  return probot;
}

/** Sequential round trips among the requests, ignoring the installation token request. */
export function roundTrips(timeline: Timed[]): number {
  const requests = timeline.filter((t) => !t.url.includes("/access_tokens")).sort((a, b) => a.start - b.start);
  const depth: number[] = [];
  requests.forEach((request, i) => {
    let deepest = 0;
    for (let j = 0; j < i; j++) if (requests[j]!.end <= request.start) deepest = Math.max(deepest, depth[j]!);
    depth.push(deepest + 1);
  });
  return Math.max(0, ...depth);
}

function files(count: number): FakeFile[] {
  return Array.from({ length: count }, (_, i) => ({
    filename: `src/module-${i % 40}/file-${i}.ts`,
    status: "modified" as const,
    additions: 3,
    deletions: 1,
  }));
}

interface Scenario {
  reads: number;
  writes: number;
  roundTrips: number;
}

export async function measureEvaluations(
  fileCount: number,
  latencyMs = 0,
): Promise<{ first: Scenario; review: Scenario; redelivery: Scenario; firstCachedToken: Scenario }> {
  const fake = new FakeGitHub(TEST_APP_ID, 1);
  const standIn = await startGitHubStandIn({ fake, latencyMs });
  try {
    const opened = examplePayload("pull_request", "opened");
    const [owner, name] = opened.repository.full_name.split("/") as [string, string];
    const repo = fake.addRepository({
      owner,
      name,
      ownerType: "User",
      defaultBranch: opened.repository.default_branch,
      policy: POLICY,
    });
    const timeline: Timed[] = [];
    const probot = instrumentedProbot(standIn, timeline);

    const run = async (payload: object, eventName: string): Promise<Scenario> => {
      const mark = fake.requests.length;
      timeline.length = 0;
      await probot.receive({ id: `bench-${Math.random()}`, name: eventName, payload } as never);
      const requests = fake.requests.slice(mark).filter((r) => !r.path.endsWith("/access_tokens"));
      const writes = requests.filter((r) => r.method !== "GET" && !r.path.endsWith("/graphql")).length;
      return { reads: requests.length - writes, writes, roundTrips: roundTrips(timeline) };
    };

    // One PR opened: the token is fetched in the same evaluation (the real first event of an installation).
    const pr = fake.addPullRequest(repo, {
      number: opened.number,
      headSha: opened.pull_request.head.sha,
      author: { login: "dev" },
      files: files(fileCount),
    });
    const payload = { ...structuredClone(opened), installation: { id: 1 } };
    payload.pull_request.changed_files = fileCount;
    const first = await run(payload, "pull_request");

    // A second PR once the token is cached (the policy blob is cached too: same blob).
    const second = fake.addPullRequest(repo, {
      number: opened.number + 1,
      headSha: "c".repeat(40),
      author: { login: "dev" },
      files: files(fileCount),
    });
    const payload2 = structuredClone(payload);
    payload2.number = second.number;
    payload2.pull_request.number = second.number;
    payload2.pull_request.head.sha = second.headSha;
    const firstCachedToken = await run(payload2, "pull_request");

    // A review on the first PR.
    pr.reviews.push({ user: "lee", state: "APPROVED", commit: pr.headSha, association: "MEMBER" });
    const reviewPayload = {
      ...examplePayload("pull_request_review", "submitted"),
      installation: { id: 1 },
    };
    reviewPayload.repository = payload.repository;
    reviewPayload.pull_request.number = pr.number;
    reviewPayload.pull_request.head.sha = pr.headSha;
    const review = await run(reviewPayload, "pull_request_review");

    // The same review delivered again.
    const redelivery = await run(reviewPayload, "pull_request_review");
    return { first, review, redelivery, firstCachedToken };
  } finally {
    await standIn.stop();
  }
}

export async function runGitHubBenchmark(): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const fileCount of [10, 1000, 3000]) {
    const { first, firstCachedToken, review, redelivery } = await measureEvaluations(fileCount, 5);
    const readGoal = pagesFor(fileCount) + 3;
    const g = `GitHub calls, F = ${fileCount}`;
    figures.push(
      {
        group: g,
        name: "first evaluation: reads",
        value: first.reads,
        unit: "",
        goal: `≤ ceil(F/100) + 3 = ${readGoal}`,
        met: first.reads <= readGoal,
      },
      { group: g, name: "first evaluation: writes", value: first.writes, unit: "" },
      { group: g, name: "first evaluation: round trips (policy not yet cached)", value: first.roundTrips, unit: "" },
      { group: g, name: "next PR, token and policy cached: reads", value: firstCachedToken.reads, unit: "" },
      {
        group: g,
        name: "next PR, token and policy cached: round trips",
        value: firstCachedToken.roundTrips,
        unit: "",
        goal: "≤ 3",
        met: firstCachedToken.roundTrips <= 3,
      },
      {
        group: g,
        name: "re-evaluation after a review: reads",
        value: review.reads,
        unit: "",
        goal: `≤ ${pagesFor(fileCount) + 1} (policy cached)`,
        met: review.reads <= pagesFor(fileCount) + 1,
      },
      { group: g, name: "re-evaluation after a review: writes", value: review.writes, unit: "" },
      {
        group: g,
        name: "re-evaluation after a review: round trips",
        value: review.roundTrips,
        unit: "",
        goal: "≤ 3",
        met: review.roundTrips <= 3,
      },
      {
        group: g,
        name: "redelivered event: writes",
        value: redelivery.writes,
        unit: "",
        goal: "0",
        met: redelivery.writes === 0,
      },
    );
  }
  return figures;
}
