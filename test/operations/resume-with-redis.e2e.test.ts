/**
 * Nothing accepted is lost, with replicas sharing REDIS_URL: replica A accepts a delivery (202),
 * its evaluation hangs on GitHub, A is killed with SIGKILL; replica B, which never received the
 * delivery, finds the dead process's entry in Redis once A's heartbeat has expired (30 s) and
 * evaluates the PR to a completed, correct check. A real redis-server is started by the test.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from "@jest/globals";
import { FakeGitHub, sha, type FakePullRequest, type FakeRepository } from "../support/fake-github.js";
import { GitHubStandIn } from "../support/github-stand-in.js";
import { forPullRequest } from "../support/payloads.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { ServerProcess, type LogLine } from "../support/server-process.js";
import { examplePayload, TEST_PRIVATE_KEY } from "../support/test-probot.js";

jest.setTimeout(120_000);

const APP_ID = 4344;
const INSTALLATION_ID = 779;
const POLICY = `version: 1
default_tier: low
rules:
  - name: auth
    tier: high
    paths: ["src/auth/**"]
tiers:
  high:
    approvals: 1
labels:
  prefix: "risk:"
`;

describe("an evaluation accepted by a replica that is then killed, with Redis", () => {
  const fake = new FakeGitHub(APP_ID, INSTALLATION_ID);
  const standIn = new GitHubStandIn({ fake });
  let redis: RedisServer;
  let repo: FakeRepository;
  let pr: FakePullRequest;
  const servers: ServerProcess[] = [];

  const start = async () => {
    const server = await ServerProcess.start({
      appId: APP_ID,
      githubHost: standIn.host,
      webhookSecret: "resume-redis-secret",
      privateKey: TEST_PRIVATE_KEY,
      env: { WEBHOOK_RESPONSE_TIMEOUT_MS: "300", REDIS_URL: redis.url },
    });
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    redis = await startRedisServer();
    repo = fake.addRepository({ owner: "acme-resume-redis", name: "api", policy: POLICY, defaultBranch: "main" });
    repo.collaborators = { dev: "write" };
    pr = fake.addPullRequest(repo, {
      number: 9,
      headSha: sha("resume-redis-head"),
      author: { login: "dev" },
      files: [{ filename: "src/auth/session.ts", status: "modified", additions: 3, deletions: 1 }],
    });
    await standIn.start();
  });

  afterAll(async () => {
    for (const server of servers) await server.stop("SIGKILL").catch(() => undefined);
    await standIn.stop();
    await redis?.stop();
  });

  it("is resumed by the live replica and ends with a completed, correct check", async () => {
    const [a, b] = [await start(), await start()];
    const client = redis.connect();
    // GitHub hangs on the PR's snapshot: the evaluation is under way when A dies.
    let snapshotAsked = false;
    standIn.addFault({ operation: "GuardrailsPullRequest", delayMs: 120_000, when: () => (snapshotAsked = true) });
    const opened = forPullRequest(examplePayload("pull_request", "opened"), repo, INSTALLATION_ID, pr);
    expect((await a.sendWebhook("pull_request", opened, { delivery: "resume-redis-opened" })).status).toBe(202);
    await a.waitFor(() => snapshotAsked, 20_000, "the snapshot request");
    // Recorded in Redis before it started, owned by A.
    const pending = Object.values(await client.hgetall("guardrails:pending")).map(
      (raw) => JSON.parse(raw) as { target: { number: number }; deliveryId: string },
    );
    expect(pending).toEqual([
      expect.objectContaining({ target: expect.objectContaining({ number: 9 }), deliveryId: "resume-redis-opened" }),
    ]);

    expect(await a.stop("SIGKILL")).toEqual({ code: null, signal: "SIGKILL" });
    standIn.clearFaults();
    expect(fake.checkRunsFor(repo, pr.headSha).filter((run) => run.status === "completed")).toEqual([]);

    // B sweeps every 15 s; A's heartbeat lasts 30 s after its last beat.
    const decision = await b.waitForLog((line: LogLine) => line.msg === "decision", 90_000);
    expect(decision).toMatchObject({ event: "pull_request.opened" });
    expect(
      b
        .logs()
        .some(
          (line) =>
            line.msg === "resuming an unfinished evaluation" &&
            line.pullRequest === 9 &&
            line.deliveryId === "resume-redis-opened",
        ),
    ).toBe(true);
    const runs = fake.checkRunsFor(repo, pr.headSha);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      name: "guardrails",
      status: "completed",
      conclusion: "failure",
      appId: APP_ID,
      externalId: "9",
    });
    expect(runs[0]!.title).toBe("High risk · missing: 1 more approval");
    expect(pr.labels).toEqual(["risk:high"]);
    // Done: nothing left in Redis to resume.
    const deadline = Date.now() + 10_000;
    while ((await client.hlen("guardrails:pending")) > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await client.hlen("guardrails:pending")).toBe(0);
  });
});
