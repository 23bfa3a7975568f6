/** Serves a FakeGitHub through nock, for tests that run the app in-process. */
import { afterAll, afterEach, beforeEach } from "@jest/globals";
import nock from "nock";
import type { FakeGitHub } from "./fake-github.js";

// Importing nock puts it into node's `http`, which every test file of a Jest worker shares (Jest
// gives each file its own module registry, not its own node core). Without this it stayed there
// for every later file of the worker: the end-to-end tests' real requests went through nock's
// interceptor, which let a socket error (`write ECANCELED` on the 413 test) escape as an uncaught
// exception. Registered here, at import, so that every file that loads nock this way takes it out.
afterAll(() => {
  nock.restore();
});

/** nock for the tests of a file: network off in each test, its mocks cleared after it. */
export function useNock(): void {
  beforeEach(() => {
    nock.disableNetConnect();
  });
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });
}

export function mountOnNock(fake: FakeGitHub, base = "https://api.github.com"): nock.Scope {
  const reply = function (
    this: { req: { method: string } },
    uri: string,
    body: nock.Body,
  ): [number, nock.Body, Record<string, string>] {
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
