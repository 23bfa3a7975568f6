/** Serves a FakeGitHub through nock, for tests that run the app in-process. */
import nock from "nock";
import type { FakeGitHub } from "./fake-github.js";

export function mountOnNock(fake: FakeGitHub, base = "https://api.github.com"): nock.Scope {
  const reply = function (this: { req: { method: string } }, uri: string, body: nock.Body): [number, nock.Body, Record<string, string>] {
    const response = fake.handle(this.req.method, uri, body === "" ? undefined : body);
    return [response.status, response.body as nock.Body, response.headers];
  };
  return nock(base)
    .persist()
    .get(/.*/)
    .reply(reply)
    .post(/.*/)
    .reply(reply)
    .patch(/.*/)
    .reply(reply)
    .delete(/.*/)
    .reply(reply);
}
