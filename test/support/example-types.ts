/**
 * The parts of the @octokit/webhooks-examples payloads that tests and benchmarks read or adjust,
 * by event. Every object keeps its other fields (the index signatures): a payload is the real
 * example, these types only name what is touched.
 */

export interface ExampleUser {
  login: string;
  type: string;
  [field: string]: unknown;
}

export interface ExampleRepository {
  id: number;
  name: string;
  full_name: string;
  default_branch: string;
  owner: ExampleUser;
  [field: string]: unknown;
}

export interface ExampleApp {
  id: number;
  [field: string]: unknown;
}

interface ExampleRef {
  sha: string;
  ref: string;
  [field: string]: unknown;
}

export interface ExamplePullRequest {
  number: number;
  title: string;
  body: string | null;
  state: string;
  url: string;
  html_url: string;
  diff_url: string;
  patch_url: string;
  head: ExampleRef;
  base: ExampleRef & { repo: { id: number; [field: string]: unknown } };
  user: ExampleUser;
  labels: unknown[];
  changed_files?: number;
  [field: string]: unknown;
}

export interface ExampleLabel {
  name: string;
  url: string;
  [field: string]: unknown;
}

/** Fields every example carries (the `ping` example aside, which is only sent as it is). */
export interface ExampleBase {
  action?: string;
  installation?: { id: number; [field: string]: unknown };
  repository: ExampleRepository;
  sender: ExampleUser;
  [field: string]: unknown;
}

export interface PullRequestExample extends ExampleBase {
  number: number;
  pull_request: ExamplePullRequest;
  /** On `labeled` and `unlabeled`. */
  label?: ExampleLabel;
}

export interface ReviewExample extends ExampleBase {
  pull_request: ExamplePullRequest;
  review: { user: ExampleUser; state: string; commit_id: string; pull_request_url: string; [field: string]: unknown };
}

export interface ExampleComment {
  id: number;
  body: string;
  created_at: string;
  updated_at: string;
  user: ExampleUser;
  performed_via_github_app: ExampleApp | null;
  [field: string]: unknown;
}

export interface IssueCommentExample extends ExampleBase {
  issue: { number: number; pull_request?: Record<string, unknown>; [field: string]: unknown };
  comment: ExampleComment;
}

/** An entry of a check run's or suite's `pull_requests`. */
export interface ExamplePullRequestRef {
  number: number;
  head: ExampleRef;
  base: ExampleRef & { repo: { id: number; [field: string]: unknown } };
  [field: string]: unknown;
}

export interface CheckRunExample extends ExampleBase {
  check_run: {
    id: number;
    name: string;
    head_sha: string;
    external_id: string;
    app: ExampleApp;
    check_suite: { head_sha: string; app: ExampleApp; [field: string]: unknown };
    pull_requests: ExamplePullRequestRef[];
    [field: string]: unknown;
  };
}

export interface CheckSuiteExample extends ExampleBase {
  check_suite: { head_sha: string; app: ExampleApp; pull_requests: ExamplePullRequestRef[]; [field: string]: unknown };
}

export interface MergeGroupExample extends ExampleBase {
  merge_group: { head_sha: string; head_ref: string; base_ref: string; [field: string]: unknown };
}

export interface ExampleCommit {
  id: string;
  added: string[];
  modified: string[];
  removed: string[];
  [field: string]: unknown;
}

export interface PushExample extends ExampleBase {
  ref: string;
  deleted: boolean;
  commits: ExampleCommit[];
}

interface ExamplesByEvent {
  pull_request: PullRequestExample;
  pull_request_review: ReviewExample;
  issue_comment: IssueCommentExample;
  check_run: CheckRunExample;
  check_suite: CheckSuiteExample;
  merge_group: MergeGroupExample;
  push: PushExample;
}

/** The example type of an event's payloads (the common fields for an event not listed). */
export type ExampleOf<E extends string> = E extends keyof ExamplesByEvent ? ExamplesByEvent[E] : ExampleBase;
