/**
 * Points a real @octokit/webhooks-examples payload at a FakeGitHub repository, installation and
 * pull request (the end-to-end tests, the order-load test and the benchmark workload share it).
 */
import type { FakePullRequest, FakeRepository } from "./fake-github.js";
import type { ExampleBase, ExamplePullRequest } from "./example-types.js";

/** Sets the payload's installation and repository (an organisation's). */
export function forRepository<P extends ExampleBase>(payload: P, repo: FakeRepository, installationId: number): P {
  const base: ExampleBase = payload;
  base.installation = { id: installationId, node_id: `installation-${installationId}` };
  Object.assign(payload.repository, {
    id: repo.id,
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    default_branch: repo.defaultBranch,
  });
  Object.assign(payload.repository.owner, { login: repo.owner, type: "Organization" });
  return payload;
}

/** Also sets its `pull_request` (at `head`, the PR's head by default) and `number`, when it has one. */
export function forPullRequest<P extends ExampleBase & { pull_request: ExamplePullRequest }>(
  payload: P,
  repo: FakeRepository,
  installationId: number,
  pr: FakePullRequest,
  head = pr.headSha,
): P {
  forRepository(payload, repo, installationId);
  const pull = payload.pull_request;
  Object.assign(pull, { number: pr.number, title: pr.title, body: pr.body });
  Object.assign(pull.head, { sha: head, ref: pr.headRef });
  pull.base.ref = pr.baseRef;
  pull.base.repo = { ...pull.base.repo, id: repo.id, name: repo.name, full_name: `${repo.owner}/${repo.name}` };
  pull.user.login = pr.author.login;
  if ("changed_files" in pull) pull.changed_files = pr.files.length;
  if ("number" in payload) (payload as ExampleBase).number = pr.number;
  return payload;
}
