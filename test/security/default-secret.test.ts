/**
 * The known default secret. Outside production the webhook secret falls back to `development`,
 * which everyone can read in the source: with it, anyone could sign an `issue_comment.edited`
 * that ticks the checklist as any writer. The app refuses it whenever it has credentials (the
 * setup page, without credentials, may keep it), `.env.example` filled in with credentials only
 * does not start, and the checklist state is signed with a key of its own, never the webhook
 * secret itself.
 */
import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { parseEnv } from "node:util";
import { pino } from "pino";
import { ConfigError, deriveChecklistSecret, readConfig } from "../../src/config.js";
import { encodeState } from "../../src/state/checklist-state.js";
import { boundPort, createHttpServer } from "../../src/http/http-server.js";
import { CHECKLIST, FILES, POLICY, useFakeGitHubNetwork, World } from "../github/harness.js";
import type { FakePullRequest } from "../support/fake-github.js";
import { freePort, ServerProcess, signature } from "../support/server-process.js";
import { TEST_PRIVATE_KEY } from "../support/test-probot.js";

useFakeGitHubNetwork();

const CREDENTIALS = { APP_ID: "123", PRIVATE_KEY: TEST_PRIVATE_KEY };
const REAL_SECRET = "a-real-webhook-secret-4f1d9c";

describe("the configuration refuses the default secret when the app has credentials", () => {
  it.each([
    ["WEBHOOK_SECRET unset, NODE_ENV=development", { NODE_ENV: "development" }],
    ["WEBHOOK_SECRET unset, NODE_ENV unset", {}],
    ['WEBHOOK_SECRET="development", NODE_ENV=development', { NODE_ENV: "development", WEBHOOK_SECRET: "development" }],
    ['WEBHOOK_SECRET="development", NODE_ENV=production', { NODE_ENV: "production", WEBHOOK_SECRET: "development" }],
  ])("%s: refused", (_name, env) => {
    expect(() => readConfig({ ...CREDENTIALS, ...env })).toThrow(ConfigError);
    expect(() => readConfig({ ...CREDENTIALS, ...env })).toThrow(
      /WEBHOOK_SECRET .*a secret everyone knows, while APP_ID and a private key are set/,
    );
  });

  it("the setup page (no APP_ID, or no private key) may keep the default", () => {
    expect(readConfig({ NODE_ENV: "development" })).toMatchObject({
      appId: 0,
      privateKey: undefined,
      webhookSecret: "development",
    });
    expect(readConfig({ NODE_ENV: "development", APP_ID: "123" })).toMatchObject({
      appId: 123,
      privateKey: undefined,
      webhookSecret: "development",
    });
  });

  it(".env.example as shipped, with only the app's id and key filled in, does not start", () => {
    const shipped = parseEnv(readFileSync(new URL("../../.env.example", import.meta.url), "utf8"));
    expect(() => readConfig({ ...shipped, ...CREDENTIALS })).toThrow(/WEBHOOK_SECRET is not set/);
    expect(readConfig({ ...shipped, ...CREDENTIALS, WEBHOOK_SECRET: REAL_SECRET }).webhookSecret).toBe(REAL_SECRET);
  });

  it("the built server exits with the reason instead of serving with the default secret", async () => {
    const server = ServerProcess.spawn(
      {
        appId: 123,
        githubHost: "127.0.0.1:9",
        webhookSecret: null,
        env: { NODE_ENV: "development", LOG_FORMAT: "json" },
      },
      await freePort(),
    );
    const exit = await server.exited;
    expect(exit.code).toBe(1);
    expect(server.output()).toContain(
      'guardrails: WEBHOOK_SECRET is not set (it would default to "development"), a secret everyone knows',
    );
    await server.stop();
  });
});

describe("the checklist is signed with a key of its own", () => {
  it("derived from the webhook secret under its own label, or CHECKLIST_SECRET; never the webhook secret itself", () => {
    const config = readConfig({ ...CREDENTIALS, WEBHOOK_SECRET: REAL_SECRET });
    expect(config.checklistSecret).not.toBe(REAL_SECRET);
    expect(config.checklistSecret).toBe(deriveChecklistSecret(REAL_SECRET));
    expect(config.checklistSecret).toHaveLength(43); // 32 bytes, base64url
    expect(deriveChecklistSecret("another-secret")).not.toBe(config.checklistSecret);
    expect(
      readConfig({ ...CREDENTIALS, WEBHOOK_SECRET: REAL_SECRET, CHECKLIST_SECRET: "its-own-secret" }).checklistSecret,
    ).toBe("its-own-secret");
    expect(() => readConfig({ ...CREDENTIALS, WEBHOOK_SECRET: REAL_SECRET, CHECKLIST_SECRET: REAL_SECRET })).toThrow(
      /CHECKLIST_SECRET must differ/,
    );
  });

  /** A high PR #2, approved, with the app's comment: only the checklist is missing. */
  async function highPullRequest(checklistSecret: string) {
    const w = new World({ policy: POLICY, app: { stateSecret: checklistSecret } });
    w.repo.collaborators = { alice: "write" };
    const pr = w.addPullRequest({ number: 2, files: FILES.high });
    pr.reviews.push({ user: "reviewer", state: "APPROVED", commit: pr.headSha, association: "MEMBER" });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({
      conclusion: "failure",
      title: "High risk · missing: checklist (0/2)",
    });
    return { w, pr, comment: pr.comments.find((c) => c.byApp)! };
  }

  const allTickedByAlice = {
    ticks: Object.fromEntries(CHECKLIST.map((item) => [item, { by: "alice", at: "2026-11-23T12:00:00Z" }])),
  };

  it("state signed with the webhook secret (as before the change) counts for nothing: the ticks are lost, not forged", async () => {
    const config = readConfig({ ...CREDENTIALS, WEBHOOK_SECRET: REAL_SECRET });
    const { w, pr, comment } = await highPullRequest(config.checklistSecret);
    const key = { owner: w.owner, repo: w.name, number: 2 };
    const oldKeyState = encodeState(config.webhookSecret, key, allTickedByAlice);
    comment.body = comment.body.replace(/<!-- guardrails:state [^>]+ -->/, oldKeyState);
    await w.receive("pull_request", w.pullRequestEvent("synchronize", pr));
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({
      conclusion: "failure",
      title: "High risk · missing: checklist (0/2)",
    });
    // The app writes its comment again, signed with the checklist key and with nothing ticked.
    expect(comment.body).not.toContain(oldKeyState);
    expect(comment.body).toContain(encodeState(config.checklistSecret, key, { ticks: {} }));

    // The control: the same state signed with the checklist key counts.
    comment.body = comment.body.replace(
      /<!-- guardrails:state [^>]+ -->/,
      encodeState(config.checklistSecret, key, allTickedByAlice),
    );
    await w.receive("pull_request", w.pullRequestEvent("synchronize", pr));
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "success" });
  });
});

describe("a forged tick signed with the default secret", () => {
  function post(port: number, body: string, sig: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const headers = {
        "content-type": "application/json",
        "x-github-event": "issue_comment",
        "x-github-delivery": "d-forged",
        "x-hub-signature-256": sig,
      };
      const req = httpRequest(
        { host: "127.0.0.1", port, method: "POST", path: "/api/github/webhooks", headers },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  it("cannot tick the checklist when the app runs with real credentials; only the real secret's signature is received", async () => {
    // The app as the server starts it from this environment: real credentials, a real secret.
    const config = readConfig({ ...CREDENTIALS, NODE_ENV: "development", WEBHOOK_SECRET: REAL_SECRET });
    const w = new World({ policy: POLICY, app: { stateSecret: config.checklistSecret } });
    w.repo.collaborators = { alice: "write", mallory: "read" };
    const pr: FakePullRequest = w.addPullRequest({ number: 2, files: FILES.high });
    pr.reviews.push({ user: "reviewer", state: "APPROVED", commit: pr.headSha, association: "MEMBER" });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const comment = pr.comments.find((c) => c.byApp)!;
    const original = comment.body;

    const server = createHttpServer({
      probot: w.probot,
      log: pino({ level: "silent" }),
      webhookPath: config.webhookPath,
      webhookSecret: config.webhookSecret,
      inFlight: () => 0,
    });
    await server.listen({ port: 0, host: "127.0.0.1" });
    try {
      // Mallory cannot edit the app's comment, so she sends GitHub's event herself: alice "ticked" every item.
      const ticked = CHECKLIST.reduce((text, item) => text.replace(`- [ ] ${item}`, `- [x] ${item}`), original);
      const forged = JSON.stringify(
        w.commentEditedEvent(pr, { id: comment.id, body: original }, { body: ticked, editor: "alice" }),
      );
      const mark = w.mark();
      expect(await post(boundPort(server), forged, signature("development", forged))).toBe(401);
      expect(w.since(mark)).toEqual([]);
      expect(comment.body).toBe(original);
      expect(w.checkRuns(pr.headSha)).toHaveLength(1);
      expect(w.checkRuns(pr.headSha)[0]).toMatchObject({
        conclusion: "failure",
        title: "High risk · missing: checklist (0/2)",
      });

      // The control: the very same event, signed with the real secret, does tick (the signature is the barrier).
      expect(await post(boundPort(server), forged, signature(REAL_SECRET, forged))).toBe(200);
      expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "success" });
    } finally {
      await server.close();
    }
  });
});
