/**
 * An in-memory model of the part of GitHub the app talks to, with one router that answers the
 * app's REST and GraphQL requests from it. Unit tests mount the router on nock; the end-to-end
 * tests and benchmarks serve it over HTTP (github-stand-in.ts). Every request is logged, so tests
 * assert exactly what the app asked and wrote.
 */
import { createHash } from "node:crypto";

export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

export interface FakeFile {
  filename: string;
  status: "added" | "removed" | "modified" | "renamed" | "copied" | "changed" | "unchanged";
  additions: number;
  deletions: number;
  previous_filename?: string;
}

export interface FakeReview {
  user: string;
  isBot?: boolean;
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";
  commit: string;
  association?: string;
  submittedAt?: string;
}

export interface FakeComment {
  id: number;
  body: string;
  user: string;
  /** Written by this app (GraphQL's viewerDidAuthor for the installation token). */
  byApp: boolean;
  /** When it was created (default: a fixed time). */
  at?: string;
  /** Its `authorAssociation` (default: OWNER, COLLABORATOR or NONE from the repository). */
  association?: string;
}

export interface FakeCheckRun {
  id: number;
  headSha: string;
  name: string;
  appId: number;
  status: string;
  conclusion: string | null;
  title: string | null;
  summary: string | null;
  text: string | null;
  externalId: string | null;
  /** When the run was last completed (GitHub's completed_at), if it was. */
  completedAt?: string | null;
  annotations: unknown[];
  actions: unknown[];
}

/** A check run of another app (a CI workflow, a scanner) on a commit, for `checks`. */
export interface FakeCiRun {
  id: number;
  headSha: string;
  name: string;
  appId: number;
  appSlug: string;
  status: "queued" | "in_progress" | "completed" | "waiting" | "requested" | "pending";
  conclusion: string | null;
  url?: string;
}

/** A commit status (the latest of its context, as GitHub's combined status keeps it). */
export interface FakeStatus {
  sha: string;
  context: string;
  state: "success" | "failure" | "error" | "pending";
  targetUrl?: string;
}

export interface FakePullRequest {
  number: number;
  state: "OPEN" | "CLOSED" | "MERGED";
  title: string;
  body: string;
  headRef: string;
  headSha: string;
  baseRef: string;
  author: { login: string; isBot?: boolean };
  labels: string[];
  labelEvents: { label: string; actor: string }[];
  reviews: FakeReview[];
  /** Users and team slugs whose review is requested. */
  requestedReviewers?: { users: string[]; teams: string[] };
  commitMessages: string[];
  /** The GitHub users of each commit's author and committer, in the order of commitMessages (absent: none known). */
  commitUsers?: { author?: string; committer?: string }[];
  files: FakeFile[];
  comments: FakeComment[];
  /** The head the files list says it was read at (default: headSha). */
  filesListedAt?: string;
  /** How many files pages are listed at `filesListedAt` before the list catches up with the head (default: all). */
  filesListedAtPages?: number;
  /**
   * A fork's PR whose head commit exists only in the fork: GitHub's commit-to-PR association,
   * asked on the base repository, does not list it (reported for both GraphQL and REST).
   */
  unlistedByCommit?: boolean;
  /** When the head branch was last force-pushed, as the timeline's HeadRefForcePushedEvent says. */
  headForcePushedAt?: string;
  /** When the base branch was last changed (a retarget), as the timeline's BaseRefChangedEvent says. */
  baseChangedAt?: string;
  /** The policy file at the PR's head: undefined, as at the base branch's tip; null, none. Its blob is served like the base's. */
  headPolicy?: string | null;
  /** Times and the merger, for the audit export (merged PRs); updatedAt is also listed with the open PRs (the fan-out's order). */
  createdAt?: string;
  updatedAt?: string;
  mergedAt?: string;
  mergedBy?: string;
  /** The author's association with the repository, as GraphQL gives it (default MEMBER). */
  authorAssociation?: string;
}

export interface FakeRepository {
  id: number;
  owner: string;
  name: string;
  ownerType: "Organization" | "User";
  /** Branch name to its tip commit and the policy text there (undefined: no policy file). */
  branches: Record<string, { sha: string; policy?: string; codeowners?: { path: string; text: string } }>;
  defaultBranch: string;
  pulls: Map<number, FakePullRequest>;
  labels: Map<string, { color: string; description?: string }>;
  collaborators: Record<string, Permission>;
  teams: Record<string, string[]>;
  /** Rulesets in GitHub's "repository-ruleset" shape (served by the rules and rulesets endpoints). */
  rulesets?: FakeRuleset[];
  /** Classic branch protection by branch, in GitHub's "branch-protection" shape; absent: 404 "Branch not protected". */
  protection?: Record<string, FakeBranchProtection>;
  /** Whether `GET /rulesets/{id}` shows bypass_actors (GitHub shows them only to those who may edit the ruleset). */
  bypassVisible?: boolean;
  /** GraphQL's visibility (default PUBLIC). */
  visibility?: "PUBLIC" | "PRIVATE" | "INTERNAL";
}

export interface FakeRuleset {
  id: number;
  name: string;
  /** Default: the repository; `Organization` for an organisation's ruleset (source: the organisation). */
  source_type?: "Repository" | "Organization";
  enforcement: "active" | "evaluate" | "disabled";
  /** Branch names, `~DEFAULT_BRANCH` or `~ALL` (GitHub's ref_name.include; `refs/heads/` may prefix a name). */
  include: string[];
  rules: { type: string; parameters?: Record<string, unknown> }[];
  bypass_actors?: { actor_id: number | null; actor_type: string; bypass_mode: "always" | "pull_request" | "exempt" }[];
}

export interface FakeBranchProtection {
  required_status_checks?: {
    strict: boolean;
    contexts: string[];
    checks: { context: string; app_id: number | null }[];
  };
  enforce_admins?: boolean;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** For GraphQL: the operation name. */
  operation?: string;
}

export interface FakeResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export const POLICY_PATH = ".github/guardrails.yml";

/** The policy text at a PR's head: its own when it changes it, else the base branch tip's. */
function headPolicyOf(repo: FakeRepository, pr: FakePullRequest): string | undefined {
  if (pr.headPolicy === null) return undefined;
  return pr.headPolicy ?? repo.branches[pr.baseRef]?.policy;
}

/** Git's blob id of a text. */
export function blobId(text: string): string {
  const data = Buffer.from(text, "utf8");
  return createHash("sha1").update(`blob ${data.length}\0`).update(data).digest("hex");
}

export function sha(seed: string): string {
  return createHash("sha1").update(seed).digest("hex");
}

export class FakeGitHub {
  readonly repos = new Map<string, FakeRepository>();
  readonly blobs = new Map<string, string>();
  readonly checkRuns: (FakeCheckRun & { repo: string })[] = [];
  /** Other apps' check runs and the commit statuses, by repository ("owner/name", lower case). */
  readonly ciRuns: (FakeCiRun & { repo: string })[] = [];
  readonly statuses: (FakeStatus & { repo: string })[] = [];
  readonly requests: LoggedRequest[] = [];
  private nextId = 1000;
  private readonly faults: { predicate: (request: LoggedRequest) => boolean; response: FakeResponse }[] = [];

  constructor(
    readonly appId = 123,
    readonly installationId = 1,
  ) {}

  id(): number {
    return this.nextId++;
  }

  addRepository(input: {
    owner: string;
    name: string;
    ownerType?: "Organization" | "User";
    policy?: string;
    defaultBranch?: string;
  }): FakeRepository {
    const defaultBranch = input.defaultBranch ?? "main";
    const repo: FakeRepository = {
      id: this.id(),
      owner: input.owner,
      name: input.name,
      ownerType: input.ownerType ?? "Organization",
      branches: {
        [defaultBranch]: {
          sha: sha(`${input.owner}/${input.name}@${defaultBranch}`),
          ...(input.policy !== undefined ? { policy: input.policy } : {}),
        },
      },
      defaultBranch,
      pulls: new Map(),
      labels: new Map(),
      collaborators: {},
      teams: {},
    };
    if (input.policy !== undefined) this.blobs.set(blobId(input.policy), input.policy);
    this.repos.set(`${input.owner}/${input.name}`.toLowerCase(), repo);
    return repo;
  }

  /** Puts a CODEOWNERS file at a branch's tip (a new commit on that branch). */
  setCodeOwners(repo: FakeRepository, branch: string, text: string, path = ".github/CODEOWNERS"): void {
    const tip = repo.branches[branch]!;
    repo.branches[branch] = { ...tip, sha: sha(`${tip.sha}+codeowners`), codeowners: { path, text } };
    this.blobs.set(blobId(text), text);
  }

  /** Changes the policy at a branch's tip (a new commit on that branch). */
  setPolicy(repo: FakeRepository, branch: string, policy: string | undefined): void {
    const previous = repo.branches[branch]?.sha ?? branch;
    const codeowners = repo.branches[branch]?.codeowners;
    repo.branches[branch] = {
      sha: sha(`${previous}+policy`),
      ...(policy !== undefined ? { policy } : {}),
      ...(codeowners ? { codeowners } : {}),
    };
    if (policy !== undefined) this.blobs.set(blobId(policy), policy);
  }

  addPullRequest(repo: FakeRepository, input: Partial<FakePullRequest> & { number: number }): FakePullRequest {
    const pr: FakePullRequest = {
      state: "OPEN",
      title: `Change ${input.number}`,
      body: "",
      headRef: `feature-${input.number}`,
      headSha: sha(`${repo.owner}/${repo.name}#${input.number}`),
      baseRef: repo.defaultBranch,
      author: { login: "dev" },
      labels: [],
      labelEvents: [],
      reviews: [],
      commitMessages: ["Change"],
      files: [],
      comments: [],
      ...input,
    };
    repo.pulls.set(pr.number, pr);
    return pr;
  }

  /** Adds (or, given an id, updates) another app's check run on a commit; returns it. */
  setCiRun(repo: FakeRepository, run: Omit<FakeCiRun, "id"> & { id?: number }): FakeCiRun {
    const key = `${repo.owner}/${repo.name}`.toLowerCase();
    const existing = run.id !== undefined ? this.ciRuns.find((r) => r.id === run.id) : undefined;
    if (existing) return Object.assign(existing, run);
    const added = { ...run, id: run.id ?? this.id(), repo: key };
    this.ciRuns.push(added);
    return added;
  }

  /** Sets the commit status of a context on a commit (replacing the earlier one of that context). */
  setStatus(repo: FakeRepository, status: FakeStatus): void {
    const key = `${repo.owner}/${repo.name}`.toLowerCase();
    const i = this.statuses.findIndex((s) => s.repo === key && s.sha === status.sha && s.context === status.context);
    if (i >= 0) this.statuses.splice(i, 1);
    this.statuses.push({ ...status, repo: key });
  }

  /** The snapshot's view of a commit's CI: every app's suites (this app's own run too) and the statuses. */
  private ciOfCommit(repo: FakeRepository, headSha: string) {
    const key = `${repo.owner}/${repo.name}`.toLowerCase();
    const own = this.checkRunsFor(repo, headSha).map((run) => ({
      databaseId: run.id,
      name: run.name,
      status: run.status.toUpperCase(),
      conclusion: run.conclusion?.toUpperCase() ?? null,
      permalink: `https://github.com/${repo.owner}/${repo.name}/runs/${run.id}`,
      detailsUrl: null,
      startedAt: null,
      completedAt: run.completedAt ?? null,
    }));
    const byApp = new Map<number, { slug: string; runs: typeof own }>();
    if (own.length) byApp.set(this.appId, { slug: "guardrails", runs: own });
    for (const run of this.ciRuns.filter((r) => r.repo === key && r.headSha === headSha)) {
      const suite = byApp.get(run.appId) ?? { slug: run.appSlug, runs: [] };
      suite.runs.push({
        databaseId: run.id,
        name: run.name,
        status: run.status.toUpperCase(),
        conclusion: run.conclusion?.toUpperCase() ?? null,
        permalink: run.url ?? `https://github.com/${repo.owner}/${repo.name}/runs/${run.id}`,
        detailsUrl: null,
        startedAt: null,
        completedAt: null,
      });
      byApp.set(run.appId, suite);
    }
    const suites = [...byApp.entries()];
    const contexts = this.statuses.filter((s) => s.repo === key && s.sha === headSha);
    return {
      ciSuites: {
        totalCount: suites.length,
        nodes: suites.slice(0, 50).map(([databaseId, suite]) => ({
          app: { databaseId, slug: suite.slug },
          checkRuns: { totalCount: suite.runs.length, nodes: suite.runs.slice(0, 100) },
        })),
      },
      status: contexts.length
        ? {
            contexts: contexts.map((c) => ({
              context: c.context,
              state: c.state.toUpperCase(),
              targetUrl: c.targetUrl ?? null,
            })),
          }
        : null,
    };
  }

  checkRunsFor(repo: FakeRepository, headSha?: string): FakeCheckRun[] {
    const key = `${repo.owner}/${repo.name}`.toLowerCase();
    return this.checkRuns.filter((run) => run.repo === key && (headSha === undefined || run.headSha === headSha));
  }

  /** The requests that change something on GitHub. */
  writes(): LoggedRequest[] {
    return this.requests.filter(
      (r) =>
        r.method !== "GET" &&
        !(r.method === "POST" && (r.path.endsWith("/graphql") || r.path.endsWith("/access_tokens"))),
    );
  }

  /** The requests that read (GraphQL queries included, token requests excluded). */
  reads(): LoggedRequest[] {
    return this.requests.filter((r) => r.method === "GET" || (r.method === "POST" && r.path.endsWith("/graphql")));
  }

  /**
   * Makes the next request that matches `predicate` get `response` instead of the model's answer
   * (once; queue several faults for several requests). The request is still logged.
   */
  failNext(
    predicate: (request: LoggedRequest) => boolean,
    response: { status: number; body?: unknown; headers?: Record<string, string> },
  ): void {
    this.faults.push({
      predicate,
      response: json(response.status, response.body ?? { message: `fault ${response.status}` }, response.headers),
    });
  }

  /**
   * Answers one request. `path` is GitHub's path without the `/api/v3` prefix of GitHub
   * Enterprise (GraphQL is `/graphql`).
   */
  handle(method: string, rawPath: string, body: unknown): FakeResponse {
    const url = new URL(rawPath, "http://github.test");
    const path = url.pathname.replace(/^\/api\/v3(?=\/)/, "").replace(/^\/api(?=\/graphql)/, "");
    const query = Object.fromEntries(url.searchParams);
    const logged: LoggedRequest = { method, path, query, body };
    if (path === "/graphql")
      logged.operation = /query\s+(\w+)/.exec((body as { query?: string })?.query ?? "")?.[1] ?? "anonymous";
    this.requests.push(logged);
    const fault = this.faults.findIndex((f) => f.predicate(logged));
    if (fault >= 0) return this.faults.splice(fault, 1)[0]!.response;
    try {
      return this.route(method, path, query, body);
    } catch (error) {
      if (error instanceof HttpError) return json(error.status, { message: error.message });
      throw error;
    }
  }

  private route(method: string, path: string, query: Record<string, string>, body: unknown): FakeResponse {
    let m: RegExpExecArray | null;
    if (method === "POST" && (m = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path))) {
      return json(201, {
        token: `ghs_test_token_${m[1]}`,
        expires_at: new Date(Date.now() + 3600_000).toISOString(),
        permissions: {},
      });
    }
    if (method === "GET" && path === "/app") return json(200, { id: this.appId, slug: "guardrails" });
    // The app's webhook delivery log (the redelivery scan): nothing delivered and failed here.
    if (method === "GET" && path === "/app/hook/deliveries") return json(200, []);
    if (method === "POST" && path === "/graphql")
      return this.graphql(body as { query: string; variables: Record<string, unknown> });
    if (method === "GET" && path === "/installation/repositories") {
      // Every repository of the fake is in the installation; pages as GitHub pages them.
      const all = [...this.repos.values()];
      const perPage = Number(query.per_page ?? 30);
      const page = Number(query.page ?? 1);
      const repositories = all.slice((page - 1) * perPage, page * perPage).map((r) => ({
        id: r.id,
        name: r.name,
        full_name: `${r.owner}/${r.name}`,
        owner: { login: r.owner, type: r.ownerType },
        archived: false,
        default_branch: r.defaultBranch,
      }));
      const last = Math.max(1, Math.ceil(all.length / perPage));
      const headers: Record<string, string> = {};
      if (page < last) {
        const base = `https://api.github.com/installation/repositories?per_page=${perPage}`;
        headers.link = `<${base}&page=${page + 1}>; rel="next", <${base}&page=${last}>; rel="last"`;
      }
      return json(200, { total_count: all.length, repository_selection: "all", repositories }, headers);
    }

    if ((m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path))) {
      const repo = this.repo(m[1]!, m[2]!);
      return this.repoRoute(repo, method, m[3] ?? "", query, body);
    }
    if (method === "GET" && (m = /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/.exec(path))) {
      const repo = [...this.repos.values()].find((r) => r.owner.toLowerCase() === m![1]!.toLowerCase());
      const members = repo?.teams[decodeURIComponent(m[2]!)] ?? [];
      const user = decodeURIComponent(m[3]!).toLowerCase();
      if (!members.some((login) => login.toLowerCase() === user)) throw new HttpError(404, "Not Found");
      return json(200, { state: "active", role: "member" });
    }
    throw new HttpError(404, `Not Found: ${method} ${path}`);
  }

  private repoRoute(
    repo: FakeRepository,
    method: string,
    rest: string,
    query: Record<string, string>,
    body: unknown,
  ): FakeResponse {
    let m: RegExpExecArray | null;
    const input = (body ?? {}) as Record<string, unknown>;
    if (method === "GET" && (m = /^\/pulls\/(\d+)\/files$/.exec(rest))) {
      const pr = this.pull(repo, Number(m[1]));
      const perPage = Number(query.per_page ?? 30);
      const page = Number(query.page ?? 1);
      const listed = pr.files.slice(0, 3000);
      // Like GitHub, each entry names the head it was listed at; `filesListedAt` simulates a push
      // landing between the snapshot and the files read.
      let at = pr.filesListedAt ?? pr.headSha;
      if (pr.filesListedAtPages !== undefined) {
        if (pr.filesListedAtPages <= 0) at = pr.headSha;
        pr.filesListedAtPages--;
      }
      const items = listed.slice((page - 1) * perPage, page * perPage).map((f) => ({
        ...f,
        contents_url: `https://api.github.com/repos/${repo.owner}/${repo.name}/contents/${encodeURIComponent(f.filename)}?ref=${at}`,
      }));
      const last = Math.max(1, Math.ceil(listed.length / perPage));
      const headers: Record<string, string> = {};
      if (page < last) {
        const base = `https://api.github.com/repos/${repo.owner}/${repo.name}/pulls/${pr.number}/files?per_page=${perPage}`;
        headers.link = `<${base}&page=${page + 1}>; rel="next", <${base}&page=${last}>; rel="last"`;
      }
      return json(200, items, headers);
    }
    if (method === "GET" && (m = /^\/pulls\/(\d+)$/.exec(rest))) {
      const pr = this.pull(repo, Number(m[1]));
      return json(200, {
        number: pr.number,
        state: pr.state === "OPEN" ? "open" : "closed",
        head: { sha: pr.headSha, ref: pr.headRef },
        base: { ref: pr.baseRef },
      });
    }
    if (method === "GET" && rest === "/pulls") {
      const open = [...repo.pulls.values()].filter(
        (pr) => pr.state === "OPEN" && (!query.base || pr.baseRef === query.base),
      );
      // Paged as GitHub pages it (30 by default, at most 100).
      const perPage = Math.min(100, Number(query.per_page ?? 30));
      const page = Number(query.page ?? 1);
      const last = Math.max(1, Math.ceil(open.length / perPage));
      const headers: Record<string, string> = {};
      if (page < last) {
        const base = `https://api.github.com/repos/${repo.owner}/${repo.name}/pulls?state=open${query.base ? `&base=${encodeURIComponent(query.base)}` : ""}&per_page=${perPage}`;
        headers.link = `<${base}&page=${page + 1}>; rel="next", <${base}&page=${last}>; rel="last"`;
      }
      const listed = open.slice((page - 1) * perPage, page * perPage);
      return json(
        200,
        listed.map((pr) => ({
          number: pr.number,
          state: "open",
          head: { sha: pr.headSha, ref: pr.headRef },
          base: { ref: pr.baseRef },
          ...(pr.updatedAt ? { updated_at: pr.updatedAt } : {}),
        })),
        headers,
      );
    }
    if (method === "GET" && (m = /^\/commits\/([0-9a-f]+)\/pulls$/.exec(rest))) {
      const pulls = [...repo.pulls.values()].filter((pr) => pr.headSha === m![1] && !pr.unlistedByCommit);
      return json(
        200,
        pulls.map((pr) => ({
          number: pr.number,
          state: pr.state === "OPEN" ? "open" : "closed",
          head: { sha: pr.headSha, ref: pr.headRef },
        })),
      );
    }
    if (method === "GET" && (m = /^\/commits\/([0-9a-f]+)\/check-runs$/.exec(rest))) {
      const runs = this.checkRunsFor(repo, m[1]).filter(
        (run) =>
          (!query.check_name || run.name === query.check_name) && (!query.app_id || run.appId === Number(query.app_id)),
      );
      return json(200, {
        total_count: runs.length,
        check_runs: runs.map((run) => ({
          id: run.id,
          name: run.name,
          head_sha: run.headSha,
          external_id: run.externalId,
          status: run.status,
          conclusion: run.conclusion,
          output: {
            title: run.title,
            summary: run.summary,
            text: run.text,
            annotations_count: run.annotations.length,
          },
          app: { id: run.appId },
        })),
      });
    }
    if (method === "GET" && (m = /^\/rules\/branches\/(.+)$/.exec(rest))) return this.branchRules(repo, m[1]!, query);
    if (method === "GET" && (m = /^\/rulesets\/(\d+)$/.exec(rest))) return this.ruleset(repo, Number(m[1]));
    if (method === "GET" && (m = /^\/branches\/(.+)\/protection$/.exec(rest))) {
      const branch = decodeURIComponent(m[1]!);
      const protection = repo.protection?.[branch];
      if (!protection) throw new HttpError(404, "Branch not protected");
      const url = `https://api.github.com/repos/${repo.owner}/${repo.name}/branches/${encodeURIComponent(branch)}/protection`;
      return json(200, {
        url,
        ...(protection.required_status_checks
          ? {
              required_status_checks: {
                url: `${url}/required_status_checks`,
                ...protection.required_status_checks,
                contexts_url: `${url}/required_status_checks/contexts`,
              },
            }
          : {}),
        enforce_admins: { url: `${url}/enforce_admins`, enabled: protection.enforce_admins ?? false },
        required_linear_history: { enabled: false },
        allow_force_pushes: { enabled: false },
        allow_deletions: { enabled: false },
        block_creations: { enabled: false },
        required_conversation_resolution: { enabled: false },
        lock_branch: { enabled: false },
        allow_fork_syncing: { enabled: false },
      });
    }
    if (method === "GET" && (m = /^\/git\/blobs\/([0-9a-f]+)$/.exec(rest))) {
      const wanted = m[1]!;
      const text =
        this.blobs.get(wanted) ??
        [...repo.pulls.values()]
          .map((pr) => pr.headPolicy)
          .find((policy): policy is string => typeof policy === "string" && blobId(policy) === wanted);
      if (text === undefined) throw new HttpError(404, "Not Found");
      return json(200, {
        sha: m[1],
        encoding: "base64",
        content: Buffer.from(text).toString("base64"),
        size: Buffer.byteLength(text),
      });
    }
    if (method === "GET" && (m = /^\/collaborators\/([^/]+)\/permission$/.exec(rest))) {
      const login = decodeURIComponent(m[1]!);
      const found = Object.entries(repo.collaborators).find(([user]) => user.toLowerCase() === login.toLowerCase());
      if (!found) throw new HttpError(404, "Not a collaborator");
      const role = found[1];
      const permission = role === "maintain" ? "write" : role === "triage" ? "read" : role;
      return json(200, { permission, role_name: role, user: { login } });
    }
    if (method === "POST" && rest === "/check-runs") {
      const run: FakeCheckRun & { repo: string } = {
        repo: `${repo.owner}/${repo.name}`.toLowerCase(),
        id: this.id(),
        headSha: String(input.head_sha),
        name: String(input.name),
        appId: this.appId,
        status: text(input.status ?? "queued"),
        conclusion: (input.conclusion as string | undefined) ?? null,
        title: null,
        summary: null,
        text: null,
        externalId: (input.external_id as string | undefined) ?? null,
        annotations: [],
        actions: (input.actions as unknown[] | undefined) ?? [],
      };
      applyOutput(run, input);
      this.checkRuns.push(run);
      return json(201, { id: run.id, head_sha: run.headSha, status: run.status, conclusion: run.conclusion });
    }
    if (method === "PATCH" && (m = /^\/check-runs\/(\d+)$/.exec(rest))) {
      const run = this.checkRuns.find((r) => r.id === Number(m![1]));
      if (!run) throw new HttpError(404, "Not Found");
      if (input.status !== undefined) run.status = text(input.status);
      if (input.conclusion !== undefined) {
        run.conclusion = text(input.conclusion);
        run.status = "completed";
      }
      if (input.external_id !== undefined) run.externalId = text(input.external_id);
      if (input.actions !== undefined) run.actions = input.actions as unknown[];
      applyOutput(run, input);
      return json(200, { id: run.id, status: run.status, conclusion: run.conclusion });
    }
    if (method === "POST" && (m = /^\/pulls\/(\d+)\/requested_reviewers$/.exec(rest))) {
      const pr = this.pull(repo, Number(m[1]));
      const teams = (input.team_reviewers as string[] | undefined) ?? [];
      // GitHub refuses a team that has no access to the repository.
      if (teams.some((team) => !(team in repo.teams)))
        throw new HttpError(422, "Reviews may only be requested from collaborators.");
      const requested = (pr.requestedReviewers ??= { users: [], teams: [] });
      requested.users.push(...((input.reviewers as string[] | undefined) ?? []));
      requested.teams.push(...teams);
      return json(201, { number: pr.number });
    }
    if (method === "POST" && (m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const pr = this.pull(repo, Number(m[1]));
      const comment: FakeComment = { id: this.id(), body: String(input.body), user: "guardrails[bot]", byApp: true };
      pr.comments.push(comment);
      return json(201, { id: comment.id, body: comment.body });
    }
    if (method === "PATCH" && (m = /^\/issues\/comments\/(\d+)$/.exec(rest))) {
      const comment = [...repo.pulls.values()].flatMap((pr) => pr.comments).find((c) => c.id === Number(m![1]));
      if (!comment) throw new HttpError(404, "Not Found");
      comment.body = String(input.body);
      return json(200, { id: comment.id, body: comment.body });
    }
    if (method === "POST" && rest === "/labels") {
      const name = String(input.name);
      if (repo.labels.has(name)) throw new HttpError(422, "Validation Failed: already_exists");
      repo.labels.set(name, {
        color: text(input.color ?? "ededed"),
        ...(input.description ? { description: text(input.description) } : {}),
      });
      return json(201, { name, color: input.color });
    }
    if (method === "POST" && (m = /^\/issues\/(\d+)\/labels$/.exec(rest))) {
      const pr = this.pull(repo, Number(m[1]));
      for (const name of (input.labels as string[] | undefined) ?? []) {
        if (!repo.labels.has(name)) repo.labels.set(name, { color: "ededed" });
        if (!pr.labels.includes(name)) {
          pr.labels.push(name);
          pr.labelEvents.push({ label: name, actor: "guardrails[bot]" });
        }
      }
      return json(
        200,
        pr.labels.map((name) => ({ name })),
      );
    }
    if (method === "DELETE" && (m = /^\/issues\/(\d+)\/labels\/(.+)$/.exec(rest))) {
      const pr = this.pull(repo, Number(m[1]));
      const name = decodeURIComponent(m[2]!);
      if (!pr.labels.includes(name)) throw new HttpError(404, "Label does not exist");
      pr.labels = pr.labels.filter((label) => label !== name);
      return json(
        200,
        pr.labels.map((label) => ({ name: label })),
      );
    }
    throw new HttpError(404, `Not Found: ${method} /repos/${repo.owner}/${repo.name}${rest}`);
  }

  /** `guardrails doctor`'s query: the default branch with its policy and CODEOWNERS texts, and the organisation policy. */
  private doctorRead(v: Record<string, unknown>): unknown {
    const blob = (text: string | undefined) =>
      text === undefined ? null : { object: { byteSize: Buffer.byteLength(text), isTruncated: false, text } };
    const repo = this.repos.get(`${String(v.owner)}/${String(v.name)}`.toLowerCase());
    const org = this.repos.get(`${String(v.owner)}/.github`.toLowerCase());
    const tip = repo?.branches[repo.defaultBranch];
    const owners = (path: string) => blob(tip?.codeowners?.path === path ? tip.codeowners.text : undefined);
    const notFound = (name: string, path: string) => ({
      type: "NOT_FOUND",
      path: [path],
      message: `Could not resolve to a Repository with the name '${String(v.owner)}/${name}'.`,
    });
    const errors = [
      ...(repo ? [] : [notFound(String(v.name), "repository")]),
      ...(org ? [] : [notFound(".github", "orgPolicy")]),
    ];
    return {
      data: {
        repository:
          repo && tip
            ? {
                nameWithOwner: `${repo.owner}/${repo.name}`,
                defaultBranchRef: {
                  name: repo.defaultBranch,
                  target: {
                    oid: tip.sha,
                    policy: blob(tip.policy),
                    codeownersGithub: owners(".github/CODEOWNERS"),
                    codeownersRoot: owners("CODEOWNERS"),
                    codeownersDocs: owners("docs/CODEOWNERS"),
                  },
                },
              }
            : null,
        orgPolicy: org
          ? {
              nameWithOwner: `${org.owner}/${org.name}`,
              defaultBranchRef: { target: { file: blob(org.branches[org.defaultBranch]?.policy) } },
            }
          : null,
      },
      ...(errors.length ? { errors } : {}),
    };
  }

  /** `GET /rules/branches/{branch}`: the rules of active rulesets that target the branch, with their ruleset's source. */
  private branchRules(repo: FakeRepository, rawBranch: string, query: Record<string, string>): FakeResponse {
    const branch = decodeURIComponent(rawBranch);
    const targets = (include: string) =>
      include === "~ALL" ||
      (include === "~DEFAULT_BRANCH" && branch === repo.defaultBranch) ||
      include.replace(/^refs\/heads\//, "") === branch;
    const rules = (repo.rulesets ?? [])
      .filter((ruleset) => ruleset.enforcement === "active" && ruleset.include.some(targets))
      .flatMap((ruleset) =>
        ruleset.rules.map((rule) => ({
          ...rule,
          ruleset_source_type: ruleset.source_type ?? "Repository",
          ruleset_source: ruleset.source_type === "Organization" ? repo.owner : `${repo.owner}/${repo.name}`,
          ruleset_id: ruleset.id,
        })),
      );
    const perPage = Math.min(100, Number(query.per_page ?? 30));
    const page = Number(query.page ?? 1);
    return json(200, rules.slice((page - 1) * perPage, page * perPage));
  }

  /** `GET /rulesets/{id}`: GitHub's "repository-ruleset"; bypass_actors only to those who may edit it. */
  private ruleset(repo: FakeRepository, id: number): FakeResponse {
    const ruleset = (repo.rulesets ?? []).find((r) => r.id === id);
    if (!ruleset) throw new HttpError(404, "Not Found");
    const organization = ruleset.source_type === "Organization";
    return json(200, {
      id: ruleset.id,
      name: ruleset.name,
      target: "branch",
      source_type: ruleset.source_type ?? "Repository",
      source: organization ? repo.owner : `${repo.owner}/${repo.name}`,
      enforcement: ruleset.enforcement,
      ...(repo.bypassVisible === false ? {} : { bypass_actors: ruleset.bypass_actors ?? [] }),
      current_user_can_bypass: "never",
      node_id: `RRS_${ruleset.id}`,
      conditions: { ref_name: { include: ruleset.include, exclude: [] } },
      rules: ruleset.rules,
      created_at: "2026-11-01T09:00:00.000Z",
      updated_at: "2026-11-01T09:00:00.000Z",
    });
  }

  /** `guardrails audit`'s page: merged PRs, newest updated first, with their head's `guardrails` runs. */
  private auditPage(v: Record<string, unknown>): unknown {
    const repo = this.repos.get(`${String(v.owner)}/${String(v.name)}`.toLowerCase());
    if (!repo)
      return {
        data: { repository: null },
        errors: [
          {
            type: "NOT_FOUND",
            path: ["repository"],
            message: `Could not resolve to a Repository with the name '${String(v.owner)}/${String(v.name)}'.`,
          },
        ],
      };
    const merged = [...repo.pulls.values()]
      .filter((pr) => pr.state === "MERGED")
      .sort(
        (a, b) =>
          Date.parse(b.updatedAt ?? b.mergedAt ?? "") - Date.parse(a.updatedAt ?? a.mergedAt ?? "") ||
          b.number - a.number,
      );
    const offset = v.after ? Number(text(v.after).replace("cursor:", "")) : 0;
    const size = Number(v.pageSize);
    const page = merged.slice(offset, offset + size);
    const suites = (pr: FakePullRequest) => {
      const runs = this.checkRunsFor(repo, pr.headSha).filter(
        (run) => run.name === v.checkName && (!v.byApp || run.appId === Number(v.appId)),
      );
      const byApp = new Map<number, FakeCheckRun[]>();
      for (const run of runs) byApp.set(run.appId, [...(byApp.get(run.appId) ?? []), run]);
      return {
        nodes: [...byApp.entries()].map(([appId, list]) => ({
          app: { slug: appId === this.appId ? "guardrails" : `app-${appId}` },
          checkRuns: {
            nodes: list.map((run) => ({
              databaseId: run.id,
              status: run.status.toUpperCase(),
              conclusion: run.conclusion?.toUpperCase() ?? null,
              completedAt: run.completedAt ?? null,
              text: run.text,
            })),
          },
        })),
      };
    };
    return {
      data: {
        repository: {
          pullRequests: {
            pageInfo: { hasNextPage: offset + size < merged.length, endCursor: `cursor:${offset + page.length}` },
            nodes: page.map((pr) => ({
              number: pr.number,
              title: pr.title,
              createdAt: pr.createdAt ?? "2026-11-01T09:00:00Z",
              updatedAt: pr.updatedAt ?? pr.mergedAt,
              mergedAt: pr.mergedAt ?? null,
              baseRefName: pr.baseRef,
              headRefOid: pr.headSha,
              author: { login: pr.author.login },
              mergedBy: pr.mergedBy ? { login: pr.mergedBy } : null,
              headCommit: {
                nodes: [
                  { commit: { oid: pr.headSha, ...(v.byApp ? { appSuites: suites(pr) } : { allSuites: suites(pr) }) } },
                ],
              },
            })),
          },
        },
      },
    };
  }

  private graphql(request: { query: string; variables: Record<string, unknown> }): FakeResponse {
    const operation = /query\s+(\w+)/.exec(request.query)?.[1];
    const v = request.variables ?? {};
    if (operation === "GuardrailsPullRequest") return json(200, this.snapshot(v));
    if (operation === "GuardrailsReviews" || operation === "GuardrailsComments") {
      const pr = this.pull(this.repo(String(v.owner), String(v.name)), Number(v.number));
      const offset = Number(String(v.after).replace("cursor:", ""));
      const list = operation === "GuardrailsReviews" ? pr.reviews.map(reviewNode) : pr.comments.map(commentNode);
      const nodes = list.slice(offset, offset + 100);
      const connection = {
        pageInfo: { hasNextPage: offset + 100 < list.length, endCursor: `cursor:${offset + nodes.length}` },
        nodes,
      };
      return json(200, {
        data: {
          repository: {
            pullRequest: operation === "GuardrailsReviews" ? { reviews: connection } : { comments: connection },
          },
        },
      });
    }
    if (operation === "GuardrailsPullRequestsOnHead") {
      const repo = this.repo(String(v.owner), String(v.name));
      const fields = [...request.query.matchAll(/(\w+): pullRequest\(number: (\d+)\)/g)].map(
        ([, alias, n]): [string, unknown] => {
          const pr = repo.pulls.get(Number(n));
          return [alias!, pr ? { number: pr.number, state: pr.state, headRefOid: pr.headSha } : null];
        },
      );
      return json(200, { data: { repository: Object.fromEntries(fields) } });
    }
    if (operation === "GuardrailsAudit") return json(200, this.auditPage(v));
    if (operation === "GuardrailsDoctor") return json(200, this.doctorRead(v));
    if (operation === "GuardrailsPreview") {
      const repo = this.repo(String(v.owner), String(v.name));
      const open = [...repo.pulls.values()]
        .filter((pr) => pr.state === "OPEN" && pr.baseRef === v.base)
        .sort((a, b) => b.number - a.number);
      return json(200, {
        data: {
          repository: {
            pullRequests: {
              totalCount: open.length,
              nodes: open.slice(0, Number(v.first)).map((pr) => previewPullNode(pr, Number(v.files))),
            },
          },
        },
      });
    }
    if (operation === "GuardrailsOrganizationPreview") {
      const owned = [...this.repos.values()].filter(
        (r) =>
          r.owner.toLowerCase() === String(v.owner).toLowerCase() &&
          (/privacy: PUBLIC/.test(request.query) ? (r.visibility ?? "PUBLIC") === "PUBLIC" : true),
      );
      const self = this.repos.get(`${String(v.owner)}/${String(v.name)}`.toLowerCase())?.pulls.get(Number(v.number));
      const nodes = owned.slice(0, Number(v.repositories)).map((r) => {
        const open = [...r.pulls.values()].filter((pr) => pr.state === "OPEN").sort((a, b) => b.number - a.number);
        const policy = r.branches[r.defaultBranch]?.policy;
        return {
          nameWithOwner: `${r.owner}/${r.name}`,
          name: r.name,
          visibility: r.visibility ?? "PUBLIC",
          policy: policy !== undefined ? { text: policy } : null,
          pullRequests: {
            totalCount: open.length,
            nodes: open.slice(0, Number(v.first)).map((pr) => previewPullNode(pr, Number(v.files))),
          },
        };
      });
      return json(200, {
        data: {
          repository: { pullRequest: self ? { authorAssociation: self.authorAssociation ?? "MEMBER" } : null },
          repositoryOwner: owned.length ? { repositories: { nodes } } : null,
        },
      });
    }
    return json(200, { errors: [{ message: `unknown operation ${operation}` }] });
  }

  private snapshot(v: Record<string, unknown>) {
    const [owner, name] = [text(v.owner), text(v.name)];
    const repo = this.repos.get(`${owner}/${name}`.toLowerCase());
    const pr = repo?.pulls.get(Number(v.number));
    const errors: { message: string; path: string[]; type: string }[] = [];
    const orgRepo = this.repos.get(`${owner}/.github`.toLowerCase());
    if (!orgRepo)
      errors.push({
        type: "NOT_FOUND",
        path: ["orgPolicy"],
        message: `Could not resolve to a Repository with the name '${owner}/.github'.`,
      });
    if (!repo)
      errors.push({
        type: "NOT_FOUND",
        path: ["repository"],
        message: `Could not resolve to a Repository with the name '${owner}/${name}'.`,
      });
    const target = (r: FakeRepository, branch: string) => {
      const tip = r.branches[branch];
      if (!tip) return null;
      const owners = tip.codeowners;
      const ownersFile = (path: string) =>
        owners && owners.path === path
          ? { object: { oid: blobId(owners.text), byteSize: Buffer.byteLength(owners.text) } }
          : null;
      return {
        oid: tip.sha,
        file:
          tip.policy !== undefined
            ? { object: { oid: blobId(tip.policy), byteSize: Buffer.byteLength(tip.policy) } }
            : null,
        codeownersGithub: ownersFile(".github/CODEOWNERS"),
        codeownersRoot: ownersFile("CODEOWNERS"),
        codeownersDocs: ownersFile("docs/CODEOWNERS"),
      };
    };
    const runs =
      repo && pr
        ? this.checkRunsFor(repo, pr.headSha).filter((run) => run.appId === Number(v.appId) && run.name === v.checkName)
        : [];
    const previousRuns =
      repo && v.withPreviousHead === true
        ? this.checkRunsFor(repo, String(v.previousHead)).filter(
            (run) => run.appId === Number(v.appId) && run.name === v.checkName,
          )
        : [];
    const data = {
      repository: repo
        ? {
            nameWithOwner: `${repo.owner}/${repo.name}`,
            ...(v.withPreviousHead === true
              ? {
                  previousHead: previousRuns.length
                    ? {
                        checkSuites: {
                          nodes: [
                            {
                              checkRuns: { nodes: previousRuns.map((run) => ({ databaseId: run.id, text: run.text })) },
                            },
                          ],
                        },
                      }
                    : null,
                }
              : {}),
            owner: { __typename: repo.ownerType, login: repo.owner },
            pullRequest: pr
              ? {
                  state: pr.state,
                  title: pr.title,
                  body: pr.body,
                  headRefName: pr.headRef,
                  headRefOid: pr.headSha,
                  baseRefName: pr.baseRef,
                  changedFiles: pr.files.length,
                  author: graphqlActor(pr.author.login, pr.author.isBot === true),
                  baseRef: repo.branches[pr.baseRef] ? { target: target(repo, pr.baseRef) } : null,
                  labels: { nodes: pr.labels.map((name) => ({ name })) },
                  reviewRequests: {
                    nodes: [
                      ...(pr.requestedReviewers?.users ?? []).map((login) => ({
                        requestedReviewer: { __typename: "User", login },
                      })),
                      ...(pr.requestedReviewers?.teams ?? []).map((slug) => ({
                        requestedReviewer: { __typename: "Team", slug },
                      })),
                    ],
                  },
                  headForcePushes: {
                    nodes: pr.headForcePushedAt !== undefined ? [{ createdAt: pr.headForcePushedAt }] : [],
                  },
                  baseRefChanges: {
                    nodes:
                      pr.baseChangedAt !== undefined
                        ? [pr.baseChangedAt === "no time" ? {} : { createdAt: pr.baseChangedAt }]
                        : [],
                  },
                  labelEvents: {
                    nodes: pr.labelEvents.slice(-100).map((e) => ({
                      actor: graphqlActor(e.actor, e.actor.endsWith("[bot]")),
                      label: { name: e.label },
                    })),
                  },
                  reviews: {
                    pageInfo: { hasNextPage: pr.reviews.length > 100, endCursor: "cursor:100" },
                    nodes: pr.reviews.slice(0, 100).map(reviewNode),
                  },
                  commits: {
                    totalCount: pr.commitMessages.length,
                    nodes: pr.commitMessages
                      .map((message, i) => ({ commit: { message, ...commitUsersNode(pr.commitUsers?.[i]) } }))
                      .slice(-100),
                  },
                  headCommit: {
                    nodes: [
                      {
                        commit: {
                          oid: pr.headSha,
                          // GitHub lists the PRs that contain the commit (any state); the app keeps the open ones with it as head.
                          associatedPullRequests: (() => {
                            const containing = [...repo.pulls.values()].filter(
                              (other) => other.headSha === pr.headSha && !other.unlistedByCommit,
                            );
                            return {
                              totalCount: containing.length,
                              nodes: containing.slice(0, 30).map((other) => ({
                                number: other.number,
                                state: other.state,
                                headRefOid: other.headSha,
                              })),
                            };
                          })(),
                          proposedPolicy:
                            headPolicyOf(repo, pr) !== undefined
                              ? {
                                  object: {
                                    oid: blobId(headPolicyOf(repo, pr)!),
                                    byteSize: Buffer.byteLength(headPolicyOf(repo, pr)!),
                                  },
                                }
                              : null,
                          ...this.ciOfCommit(repo, pr.headSha),
                          checkSuites: {
                            nodes: runs.length
                              ? [
                                  {
                                    checkRuns: {
                                      nodes: runs.map((run) => ({
                                        databaseId: run.id,
                                        externalId: run.externalId ?? null,
                                        completedAt: run.completedAt ?? null,
                                        status: run.status.toUpperCase(),
                                        conclusion: run.conclusion?.toUpperCase() ?? null,
                                        title: run.title,
                                        summary: run.summary,
                                        text: run.text,
                                      })),
                                    },
                                  },
                                ]
                              : [],
                          },
                        },
                      },
                    ],
                  },
                  firstComments: {
                    totalCount: pr.comments.length,
                    pageInfo: { endCursor: `cursor:${Math.min(100, pr.comments.length)}` },
                    nodes: pr.comments.slice(0, 100).map(commentNode),
                  },
                  lastComments: {
                    pageInfo: { startCursor: `cursor:${Math.max(0, pr.comments.length - 100)}` },
                    nodes: pr.comments.slice(-100).map((c) => recentCommentNode(c, repo)),
                  },
                }
              : null,
          }
        : null,
      orgPolicy: orgRepo
        ? {
            nameWithOwner: `${orgRepo.owner}/${orgRepo.name}`,
            // The organisation's policy file only (the query asks no CODEOWNERS there).
            defaultBranchRef: (() => {
              const tip = target(orgRepo, orgRepo.defaultBranch);
              return { target: tip && { oid: tip.oid, file: tip.file } };
            })(),
          }
        : null,
    };
    return errors.length ? { data, errors } : { data };
  }

  private repo(owner: string, name: string): FakeRepository {
    const repo = this.repos.get(`${decodeURIComponent(owner)}/${decodeURIComponent(name)}`.toLowerCase());
    if (!repo) throw new HttpError(404, "Not Found");
    return repo;
  }

  private pull(repo: FakeRepository, number: number): FakePullRequest {
    const pr = repo.pulls.get(number);
    if (!pr) throw new HttpError(404, "Not Found");
    return pr;
  }
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): FakeResponse {
  return { status, headers: { "content-type": "application/json; charset=utf-8", ...headers }, body };
}

/** A request field as text: strings as they are, numbers, booleans, null and undefined as `String` shows them, the rest as JSON. */
function text(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || value === null || value === undefined)
    return String(value);
  return JSON.stringify(value);
}

function applyOutput(run: FakeCheckRun, input: Record<string, unknown>): void {
  if (typeof input.completed_at === "string") run.completedAt = input.completed_at;
  else if (input.status === "in_progress") run.completedAt = null;
  const output = input.output as
    { title?: string; summary?: string; text?: string; annotations?: unknown[] } | undefined;
  if (!output) return;
  if (output.title !== undefined) run.title = output.title;
  if (output.summary !== undefined) run.summary = output.summary;
  if (output.text !== undefined) run.text = output.text;
  if (output.annotations) run.annotations.push(...output.annotations);
}

function reviewNode(review: FakeReview) {
  return {
    author: graphqlActor(review.user, review.isBot === true),
    state: review.state,
    authorAssociation: review.association ?? "MEMBER",
    submittedAt: review.submittedAt ?? "2026-11-01T00:00:00Z",
    commit: { oid: review.commit },
  };
}

/** A comment as the first comments and their pages are asked for. */
function commentNode(comment: FakeComment) {
  return { databaseId: comment.id, body: comment.body, viewerDidAuthor: comment.byApp };
}

/** A comment of the last hundred, asked for with when and by whom. */
function recentCommentNode(comment: FakeComment, repo: FakeRepository) {
  const association =
    comment.user.toLowerCase() === repo.owner.toLowerCase()
      ? "OWNER"
      : repo.collaborators?.[comment.user]
        ? "COLLABORATOR"
        : "NONE";
  return {
    ...commentNode(comment),
    createdAt: comment.at ?? "2026-12-01T00:00:00Z",
    authorAssociation: comment.byApp ? "NONE" : (comment.association ?? association),
    author: { __typename: comment.byApp ? "Bot" : "User", login: comment.user },
  };
}

/** An actor as GitHub's GraphQL API shows it: a bot's login without the `[bot]` of REST and webhooks. */
/** A PR as the preview queries read it: GraphQL's changed files have no rename origin. */
function previewPullNode(pr: FakePullRequest, files: number) {
  const changeType = (status: string) =>
    ({ added: "ADDED", removed: "DELETED", renamed: "RENAMED", copied: "COPIED", changed: "CHANGED" })[status] ??
    "MODIFIED";
  return {
    number: pr.number,
    title: pr.title,
    headRefName: pr.headRef,
    author: graphqlActor(pr.author.login, pr.author.isBot === true),
    files: {
      totalCount: pr.files.length,
      nodes: pr.files.slice(0, files).map((f) => ({
        path: f.filename,
        additions: f.additions,
        deletions: f.deletions,
        changeType: changeType(f.status),
      })),
    },
  };
}

function commitUsersNode(users: { author?: string; committer?: string } | undefined) {
  return {
    author: { user: users?.author ? { login: users.author } : null },
    committer: { user: users?.committer ? { login: users.committer } : null },
  };
}

function graphqlActor(login: string, isBot: boolean): { __typename: "Bot" | "User"; login: string } {
  return isBot ? { __typename: "Bot", login: login.replace(/\[bot\]$/, "") } : { __typename: "User", login };
}
