/**
 * The one place the pipeline's writes go to GitHub: each planned write (src/reconcile/) becomes its
 * request here, in the order given, and is counted. Nothing here decides what to write.
 */
import type { Logger } from "pino";
import type { CommentWrite } from "../reconcile/comment.js";
import type { LabelWrite } from "../reconcile/labels.js";
import type { ReviewRequestPlan } from "../reconcile/review-requests.js";
import {
  CHECK_NAME,
  MAX_ANNOTATIONS_PER_REQUEST,
  REEVALUATE_ACTION,
  type CheckOutput,
} from "../render/check-output.js";
import { externalIdOf } from "../state/external-id.js";
import type { GitHub } from "./octokit.js";

export interface RepoRef {
  owner: string;
  repo: string;
}

const statusOf = (error: unknown) => (error as { status?: number }).status;

export class GitHubWriter {
  /** Requests that changed something on GitHub, so far. */
  writes = 0;

  constructor(
    private readonly github: GitHub,
    private readonly repo: RepoRef,
  ) {}

  /** Takes a run back to `in_progress` (a re-run, or a stale pass taken out of `success`). */
  async markInProgress(runId: number): Promise<void> {
    await this.github.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
      ...this.repo,
      check_run_id: runId,
      status: "in_progress",
      output: { title: "Evaluating…", summary: "Guardrails is evaluating this pull request again." },
    });
    this.writes++;
  }

  /** Creates the check run `in_progress` (the PR shows the check at once while facts are gathered). */
  async startRun(headSha: string, prNumber: number): Promise<number> {
    const response = await this.github.request("POST /repos/{owner}/{repo}/check-runs", {
      ...this.repo,
      name: CHECK_NAME,
      head_sha: headSha,
      status: "in_progress",
      external_id: externalIdOf(prNumber),
      output: { title: "Evaluating…", summary: "Guardrails is gathering the facts of this pull request." },
    });
    this.writes++;
    return (response.data as { id: number }).id;
  }

  /**
   * Completes (or creates completed) the check run; annotations go 50 per request. `prNumber` is
   * undefined for a merge group's run (nothing to re-evaluate there). Returns the run id.
   */
  async completeRun(
    headSha: string,
    prNumber: number | undefined,
    runId: number | undefined,
    output: CheckOutput,
  ): Promise<number> {
    const batches: CheckOutput["annotations"][] = [];
    for (let i = 0; i < output.annotations.length; i += MAX_ANNOTATIONS_PER_REQUEST)
      batches.push(output.annotations.slice(i, i + MAX_ANNOTATIONS_PER_REQUEST));
    const body = (annotations: CheckOutput["annotations"] | undefined) => ({
      status: "completed" as const,
      conclusion: output.conclusion,
      completed_at: new Date().toISOString(),
      external_id: externalIdOf(prNumber, output.coveredPullRequests),
      output: {
        title: output.title,
        summary: output.summary,
        text: output.text,
        ...(annotations?.length ? { annotations } : {}),
      },
      actions: prNumber === undefined ? [] : [REEVALUATE_ACTION],
    });
    let id = runId;
    if (id === undefined) {
      const response = await this.github.request("POST /repos/{owner}/{repo}/check-runs", {
        ...this.repo,
        name: CHECK_NAME,
        head_sha: headSha,
        ...body(batches[0]),
      });
      id = (response.data as { id: number }).id;
    } else {
      await this.github.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
        ...this.repo,
        check_run_id: id,
        ...body(batches[0]),
      });
    }
    this.writes++;
    // Further annotations are appended by more updates of the same run.
    for (const batch of batches.slice(1)) {
      await this.github.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
        ...this.repo,
        check_run_id: id,
        ...body(batch),
      });
      this.writes++;
    }
    return id;
  }

  async comment(prNumber: number, write: CommentWrite | undefined): Promise<void> {
    if (!write) return;
    if (write.kind === "update")
      await this.github.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", {
        ...this.repo,
        comment_id: write.commentId,
        body: write.body,
      });
    else
      await this.github.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
        ...this.repo,
        issue_number: prNumber,
        body: write.body,
      });
    this.writes++;
  }

  /** Label writes in order; `created` is told of each label that now exists in the repository. */
  async labels(prNumber: number, writes: readonly LabelWrite[], created: (name: string) => void): Promise<void> {
    for (const write of writes) {
      this.writes++;
      if (write.kind === "remove") {
        await this.tolerate(404, () =>
          this.github.request("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", {
            ...this.repo,
            issue_number: prNumber,
            name: write.name,
          }),
        ); // 404: already gone
      } else if (write.kind === "create") {
        await this.tolerate(422, () =>
          this.github.request("POST /repos/{owner}/{repo}/labels", {
            ...this.repo,
            name: write.name,
            color: write.color,
            description: write.description,
          }),
        ); // 422: it exists already
        created(write.name);
      } else {
        await this.github.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", {
          ...this.repo,
          issue_number: prNumber,
          labels: [write.name],
        });
      }
    }
  }

  /** Requests reviews; a refusal is logged and returned (it never fails the check). */
  async requestReviews(
    prNumber: number,
    plan: ReviewRequestPlan,
    log: Logger,
  ): Promise<{ refused?: { status?: number } }> {
    this.writes++;
    try {
      await this.github.request("POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers", {
        ...this.repo,
        pull_number: prNumber,
        reviewers: plan.users,
        team_reviewers: plan.teams,
      });
      return {};
    } catch (error) {
      const status = statusOf(error);
      log.warn(
        {
          err: error,
          pr: `${this.repo.owner}/${this.repo.repo}#${prNumber}`,
          status,
          reviewers: plan.users,
          teams: plan.teams,
        },
        "review request refused",
      );
      return { refused: status !== undefined ? { status } : {} };
    }
  }

  private async tolerate(status: number, request: () => Promise<unknown>): Promise<void> {
    try {
      await request();
    } catch (error) {
      if (statusOf(error) !== status) throw error;
    }
  }
}
