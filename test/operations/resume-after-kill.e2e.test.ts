/**
 * Nothing accepted is lost: the built server accepts a delivery (202), its evaluation hangs on
 * GitHub, the process is killed with SIGKILL, and the server started again (same configuration,
 * no Redis: the pending-evaluations file) evaluates the PR to a completed, correct check, with no
 * new delivery from GitHub.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from "@jest/globals";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeGitHub, sha, type FakePullRequest, type FakeRepository } from "../support/fake-github.js";
import { GitHubStandIn } from "../support/github-stand-in.js";
import { forPullRequest } from "../support/payloads.js";
import { ServerProcess, type LogLine } from "../support/server-process.js";
import { examplePayload, TEST_PRIVATE_KEY } from "../support/test-probot.js";

jest.setTimeout(90_000);

const APP_ID = 4343;
const INSTALLATION_ID = 778;
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

describe("an evaluation accepted and then killed with the process", () => {
  const fake = new FakeGitHub(APP_ID, INSTALLATION_ID);
  const standIn = new GitHubStandIn({ fake });
  const dir = mkdtempSync(join(tmpdir(), "guardrails-resume-"));
  const pendingFile = join(dir, "pending.json");
  let repo: FakeRepository;
  let pr: FakePullRequest;
  const servers: ServerProcess[] = [];

  const start = async () => {
    const server = await ServerProcess.start({
      appId: APP_ID,
      githubHost: standIn.host,
      webhookSecret: "resume-test-secret",
      privateKey: TEST_PRIVATE_KEY,
      env: { WEBHOOK_RESPONSE_TIMEOUT_MS: "300", PENDING_EVALUATIONS_FILE: pendingFile },
    });
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    repo = fake.addRepository({ owner: "acme-resume", name: "api", policy: POLICY, defaultBranch: "main" });
    repo.collaborators = { alice: "write", dev: "write" };
    pr = fake.addPullRequest(repo, {
      number: 7,
      headSha: sha("resume-head"),
      author: { login: "dev" },
      files: [{ filename: "src/auth/login.ts", status: "modified", additions: 3, deletions: 1 }],
    });
    await standIn.start();
  });

  afterAll(async () => {
    for (const server of servers) await server.stop("SIGKILL").catch(() => undefined);
    await standIn.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is resumed by the restarted server and ends with a completed, correct check", async () => {
    const first = await start();
    // GitHub hangs on the PR's snapshot (each attempt: the client's retry after its timeout too):
    // the evaluation is under way when the process dies.
    let snapshotAsked = false;
    standIn.addFault({ operation: "GuardrailsPullRequest", delayMs: 120_000, when: () => (snapshotAsked = true) });
    const opened = forPullRequest(examplePayload("pull_request", "opened"), repo, INSTALLATION_ID, pr);
    const answer = await first.sendWebhook("pull_request", opened, { delivery: "resume-opened-1" });
    expect(answer.status).toBe(202);
    await first.waitFor(() => snapshotAsked, 20_000, "the snapshot request");
    // Recorded as pending before it started.
    const recorded = JSON.parse(readFileSync(pendingFile, "utf8")) as {
      target: { number: number };
      trigger: { event: string };
    }[];
    expect(recorded).toEqual([
      expect.objectContaining({
        target: expect.objectContaining({ number: 7 }),
        trigger: expect.objectContaining({ event: "pull_request.opened" }),
      }),
    ]);

    expect(await first.stop("SIGKILL")).toEqual({ code: null, signal: "SIGKILL" });
    expect(fake.checkRunsFor(repo, pr.headSha).filter((run) => run.status === "completed")).toEqual([]);
    standIn.clearFaults();

    // Started again: no delivery is sent; the pending evaluation is resumed.
    const second = await start();
    const decision = await second.waitForLog((line: LogLine) => line.msg === "decision", 30_000);
    expect(
      second
        .logs()
        .some(
          (line) =>
            line.msg === "resuming an unfinished evaluation" &&
            line.pullRequest === 7 &&
            line.deliveryId === "resume-opened-1",
        ),
    ).toBe(true);
    expect(decision).toMatchObject({ event: "pull_request.opened" });
    const runs = fake.checkRunsFor(repo, pr.headSha);
    expect(runs).toHaveLength(1);
    // High tier, one approval missing: the same check an uninterrupted evaluation writes.
    expect(runs[0]).toMatchObject({
      name: "guardrails",
      status: "completed",
      conclusion: "failure",
      appId: APP_ID,
      externalId: "7",
    });
    expect(runs[0]!.title).toBe("High risk · missing: 1 more approval");
    expect(pr.labels).toEqual(["risk:high"]);
    // Done: nothing left to resume.
    await second.waitFor(
      () => (JSON.parse(readFileSync(pendingFile, "utf8")) as unknown[]).length === 0 || undefined,
      10_000,
      "the pending list to empty",
    );
  });
});
