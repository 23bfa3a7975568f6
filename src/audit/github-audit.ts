/**
 * Reads the PRs merged in a period with one GraphQL request per 100 PRs: each with its merged
 * head's `guardrails` runs (their text holds the decision record). PRs come newest-updated first,
 * so the read stops at the first PR not updated since the period began (a PR is updated when it
 * is merged, so every older one was merged before the period).
 */
import { Octokit } from "@octokit/core";
import type { MergedPullRequest } from "./merged-pull-requests.js";

export const AUDIT_QUERY = /* GraphQL */ `
  query GuardrailsAudit(
    $owner: String!
    $name: String!
    $after: String
    $pageSize: Int!
    $checkName: String!
    $appId: Int
    $byApp: Boolean!
  ) {
    repository(owner: $owner, name: $name) {
      pullRequests(states: MERGED, first: $pageSize, after: $after, orderBy: { field: UPDATED_AT, direction: DESC }) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          number
          title
          createdAt
          updatedAt
          mergedAt
          baseRefName
          headRefOid
          author {
            login
          }
          mergedBy {
            login
          }
          headCommit: commits(last: 1) {
            nodes {
              commit {
                oid
                appSuites: checkSuites(first: 10, filterBy: { appId: $appId }) @include(if: $byApp) {
                  nodes {
                    app {
                      slug
                    }
                    checkRuns(first: 10, filterBy: { checkName: $checkName }) {
                      nodes {
                        databaseId
                        status
                        conclusion
                        completedAt
                        text
                      }
                    }
                  }
                }
                allSuites: checkSuites(first: 20) @skip(if: $byApp) {
                  nodes {
                    app {
                      slug
                    }
                    checkRuns(first: 10, filterBy: { checkName: $checkName }) {
                      nodes {
                        databaseId
                        status
                        conclusion
                        completedAt
                        text
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
`;

interface RawRun {
  databaseId: number;
  status: string;
  conclusion: string | null;
  completedAt: string | null;
  text: string | null;
}
interface RawSuites {
  nodes: { app: { slug: string } | null; checkRuns: { nodes: RawRun[] } }[];
}
interface RawPullRequest {
  number: number;
  title: string;
  createdAt: string;
  updatedAt: string;
  mergedAt: string | null;
  baseRefName: string;
  headRefOid: string;
  author: { login: string } | null;
  mergedBy: { login: string } | null;
  headCommit: { nodes: { commit: { oid: string; appSuites?: RawSuites; allSuites?: RawSuites } }[] };
}
interface AuditPage {
  repository: {
    pullRequests: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: RawPullRequest[] };
  } | null;
}

export interface AuditQuery {
  token: string;
  /** GitHub's REST base URL (https://api.github.com, or https://HOST/api/v3 on Enterprise Server). */
  apiUrl: string;
  owner: string;
  repo: string;
  since: Date;
  until: Date;
  /** Only this app's runs count (the Guardrails App's id); without it any app's `guardrails` run does. */
  appId?: number;
  checkName: string;
  pageSize?: number;
  /** Called after each page with the PRs read so far and the oldest update time seen. */
  progress?: (read: number, reachedBack: string) => void;
  fetch?: typeof globalThis.fetch;
}

/** Octokit finds GraphQL beside the REST base: /graphql, or /api/graphql for Enterprise Server's /api/v3. */
export async function mergedPullRequests(query: AuditQuery): Promise<{ pulls: MergedPullRequest[]; requests: number }> {
  const octokit = new Octokit({
    auth: query.token,
    baseUrl: query.apiUrl.replace(/\/+$/, ""),
    ...(query.fetch ? { request: { fetch: query.fetch } } : {}),
  });
  const pulls = new Map<number, MergedPullRequest>();
  let requests = 0;
  let read = 0;
  /**
   * One walk down the UPDATED_AT order from the top, to the first PR updated before `stop`.
   * Returns the newest update time seen (the top of the list when the walk began).
   */
  const walk = async (stop: number, report: boolean): Promise<number> => {
    let after: string | null = null;
    let top = -Infinity;
    for (;;) {
      const page: AuditPage = await octokit.graphql<AuditPage>(AUDIT_QUERY, {
        owner: query.owner,
        name: query.repo,
        after,
        pageSize: query.pageSize ?? 100,
        checkName: query.checkName,
        appId: query.appId ?? null,
        byApp: query.appId !== undefined,
      });
      requests++;
      const connection = page.repository?.pullRequests;
      if (!connection)
        throw new Error(`repository ${query.owner}/${query.repo} not found, or the token cannot read it`);
      let reachedStart = false;
      for (const node of connection.nodes) {
        read++;
        const updated = Date.parse(node.updatedAt);
        top = Math.max(top, updated);
        if (updated < stop) {
          reachedStart = true;
          break;
        }
        if (!node.mergedAt) continue;
        const merged = Date.parse(node.mergedAt);
        if (merged < query.since.getTime() || merged > query.until.getTime()) continue;
        pulls.set(node.number, toMerged(node));
      }
      const oldest = connection.nodes.at(-1)?.updatedAt ?? "";
      if (report) query.progress?.(read, oldest);
      if (reachedStart || !connection.pageInfo.hasNextPage || !connection.pageInfo.endCursor) return top;
      after = connection.pageInfo.endCursor;
    }
  };
  // A PR updated while the pages are read (a comment on it) moves to the top, above the cursor,
  // and would never be read: walk the top again down to the newest update the last walk saw,
  // until a walk finds nothing updated since (review 11).
  let watermark = await walk(query.since.getTime(), true);
  for (let pass = 0; ; pass++) {
    const before = requests;
    const top = await walk(watermark, false);
    // The re-walk reads one page when nothing moved; more means the list moved meanwhile.
    if (top <= watermark && requests - before === 1) break;
    if (pass >= 5) throw new Error("the merged pull requests kept changing while they were read; run the export again");
    watermark = Math.max(watermark, top);
  }
  const list = [...pulls.values()];
  list.sort((a, b) => Date.parse(a.mergedAt) - Date.parse(b.mergedAt) || a.number - b.number);
  return { pulls: list, requests };
}

function toMerged(node: RawPullRequest): MergedPullRequest {
  const commit = node.headCommit.nodes[0]?.commit;
  // The runs of the merged head only: a last commit other than the head means none is known.
  const suites = commit && commit.oid === node.headRefOid ? ((commit.appSuites ?? commit.allSuites)?.nodes ?? []) : [];
  return {
    number: node.number,
    title: node.title,
    author: node.author?.login ?? null,
    mergedBy: node.mergedBy?.login ?? null,
    createdAt: node.createdAt,
    mergedAt: node.mergedAt!,
    base: node.baseRefName,
    head: node.headRefOid,
    runs: suites.flatMap((suite) =>
      suite.checkRuns.nodes.map((run) => ({
        id: run.databaseId,
        status: run.status,
        conclusion: run.conclusion,
        completedAt: run.completedAt,
        text: run.text,
        app: suite.app?.slug ?? null,
      })),
    ),
  };
}
