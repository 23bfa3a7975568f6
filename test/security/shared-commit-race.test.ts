/**
 * A stale single-PR view (found in review): PR B's evaluation read its snapshot before PR A (same
 * head) existed and judged B alone; PR A's evaluation saw B and wrote the combined failure. B's
 * pass is written only after a fresh look at the commit's runs inside the commit's lock, which
 * finds the run covering A: B's evaluation judges A too and the commit stays failing.
 */
import { describe, expect, it } from "@jest/globals";
import nock from "nock";
import { sha, useFakeGitHubNetwork, World } from "../github/harness.js";
import { DOCS_AUTH } from "../support/policies.js";

useFakeGitHubNetwork();

const POLICY = DOCS_AUTH;
const HEAD = sha("shared head");

describe("a stale single-PR view cannot overwrite the combined run", () => {
  it("B evaluated before A existed writes last: the commit must still fail", async () => {
    const w = new World({ policy: POLICY });
    w.repo.branches.weak = { sha: sha("weak tip"), policy: POLICY };
    const b = w.addPullRequest({
      number: 2,
      headSha: HEAD,
      headRef: "feature",
      baseRef: "weak",
      files: [{ filename: "docs/login.md", status: "modified", additions: 2, deletions: 0 }],
    });

    // Re-mount the fake with a gate on B's first file listing.
    nock.cleanAll();
    let reached!: () => void;
    const gateReached = new Promise<void>((r) => (reached = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let gated = false;
    const reply = function (
      this: { req: { method: string } },
      uri: string,
      body: nock.Body,
      cb: (err: null, res: [number, nock.Body, Record<string, string>]) => void,
    ) {
      const method = this.req.method;
      const answer = () => {
        const response = w.fake.handle(method, uri, body === "" ? undefined : body);
        cb(null, [response.status, response.body as nock.Body, response.headers]);
      };
      const isB =
        method === "POST" &&
        uri.endsWith("/graphql") &&
        (body as { variables?: { number?: number } })?.variables?.number === 2;
      if (!gated && isB) {
        // B's view is taken now (no A yet) and arrives late, as a slow answer would.
        gated = true;
        const response = w.fake.handle(method, uri, body === "" ? undefined : body);
        reached();
        void gate.then(() => cb(null, [response.status, response.body as nock.Body, response.headers]));
      } else answer();
    };
    nock("https://api.github.com")
      .persist()
      .get(/.*/)
      .reply(reply)
      .post(/.*/)
      .reply(reply)
      .patch(/.*/)
      .reply(reply)
      .delete(/.*/)
      .reply(reply);

    const bDone = w.receive("pull_request", w.pullRequestEvent("opened", b));
    await gateReached;
    const a = w.addPullRequest({
      number: 1,
      headSha: HEAD,
      headRef: "feature",
      files: [{ filename: "src/auth/login.ts", status: "modified", additions: 5, deletions: 1 }],
    });
    const aDone = w.receive("pull_request", w.pullRequestEvent("opened", a));
    // Let A run as far as it can while B's listing is held.
    await new Promise((r) => setTimeout(r, 300));
    release();
    await Promise.all([aDone, bDone]);
    const runs = w.checkRuns(HEAD);
    // GitHub shows the newest run of a name on a commit: it must not be B's lone success.
    expect(runs.at(-1)).toMatchObject({ conclusion: "failure" });
    expect(runs.map((r) => r.conclusion)).not.toContain("success");
  });
});
