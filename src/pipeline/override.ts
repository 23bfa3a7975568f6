/**
 * The GitHub side of break glass: looks up who wrote an override command (their permission, the
 * listed teams they belong to: only what the decision needs), then lets the pure transition
 * (src/overrides/transition.ts) move the signed state, and writes the audit log lines.
 */
import type { Logger } from "pino";
import { authorizeOverride, overrideLookups, type Authorization, type PolicyInForce } from "../engine/override.js";
import type { Policy } from "../policy/schema.js";
import { canWrite } from "../engine/types.js";
import type { DecisionRecord } from "../audit/decision-record.js";
import { describeError } from "./errors.js";
import type { ChecklistState } from "./checklist-comment.js";
import type { GitHub } from "./octokit.js";
import { fetchMembership, fetchPermission } from "./permissions.js";
import type { PullRequestSnapshot } from "./snapshot.js";
import { nextOverrideState, type CommandInput, type OverrideEvent } from "../overrides/transition.js";

/** The policies whose `overrides` must all allow the person (the repository's, and an enforced floor). */
export function policiesInForce(policy: Policy, floor: Policy | undefined): PolicyInForce[] {
  return [
    { origin: "repository", overrides: policy.overrides },
    ...(floor ? [{ origin: "organization" as const, overrides: floor.overrides }] : []),
  ];
}

export interface SettleInput {
  repo: { owner: string; repo: string };
  number: number;
  snapshot: PullRequestSnapshot;
  state: ChecklistState;
  /** This PR's decision record on the head's run, as read for this evaluation. */
  record: DecisionRecord | undefined;
  policies: PolicyInForce[];
  command?: CommandInput;
  now: string;
}

export async function settleOverride(
  github: GitHub,
  log: Logger,
  input: SettleInput,
): Promise<{ state: ChecklistState; events: OverrideEvent[] }> {
  const { snapshot, command } = input;
  const author = snapshot.author.login;
  const authorization = command
    ? await authorize(github, input.repo, input.policies, command, author, snapshot.ownerIsOrganization)
    : undefined;
  // An override in force on this head: is its author still allowed (access, team)? A lookup that
  // fails throws, and the evaluation fails closed without ending the override.
  const held = input.state.override;
  const overriderNow =
    held && held.head === snapshot.headSha && command === undefined
      ? await authorize(
          github,
          input.repo,
          input.policies,
          { command: { kind: "withdraw" }, by: held.by, isBot: false, commentId: 0, at: held.at },
          author,
          snapshot.ownerIsOrganization,
          true,
        )
      : undefined;
  const result = nextOverrideState(input.state, {
    headSha: snapshot.headSha,
    author,
    policies: input.policies,
    now: input.now,
    ...(command ? { command } : {}),
    ...(authorization ? { authorization } : {}),
    ...(overriderNow ? { overriderNow } : {}),
    ...overrideGuards(snapshot, input.record),
  });
  for (const event of result.events)
    logOverrideEvent(log, `${input.repo.owner}/${input.repo.repo}`, input.number, event);
  return result;
}

/** What binds an override to what people saw: the PR's record on the head's run, and the timeline. */
export function overrideGuards(
  snapshot: PullRequestSnapshot,
  record: DecisionRecord | undefined,
): { headEvaluatedSince: string | null; headForcePushedAt: string | null; runOverrideSeq?: number } {
  return {
    headEvaluatedSince: record?.head === snapshot.headSha ? (record.headSince ?? null) : null,
    headForcePushedAt: snapshot.headForcePushedAt ?? null,
    ...(record?.overrideSeq !== undefined ? { runOverrideSeq: record.overrideSeq } : {}),
  };
}

/** Who asked, looked up only as far as the answer depends on it; a failed lookup refuses (fail closed). */
async function authorize(
  github: GitHub,
  repo: { owner: string; repo: string },
  policies: PolicyInForce[],
  command: CommandInput,
  author: string,
  ownerIsOrganization: boolean,
  /** Let a failed lookup throw instead of refusing (re-checking an override already given). */
  throwOnLookupFailure = false,
): Promise<Authorization> {
  const needs =
    command.viaApp === undefined
      ? overrideLookups(policies, command.by, command.isBot, author)
      : { permission: false, teams: [] };
  if (!needs.permission)
    return authorizeOverride(policies, { login: command.by, isBot: command.isBot, teams: [] }, author);
  try {
    // The permission first: anyone can comment, and someone without write access costs no team lookups.
    const permission = await fetchPermission(github, repo, command.by);
    // Teams belong to the owner's organisation; a user-owned repository has none.
    const teams = ownerIsOrganization && canWrite(permission) ? needs.teams : [];
    const memberships = await Promise.all(
      teams.map(async (team) => ((await fetchMembership(github, repo.owner, team, command.by)) ? team : undefined)),
    );
    return authorizeOverride(
      policies,
      {
        login: command.by,
        isBot: command.isBot,
        permission,
        teams: memberships.filter((t): t is string => t !== undefined),
      },
      author,
    );
  } catch (error) {
    if (throwOnLookupFailure) throw error;
    return {
      ok: false,
      refusal: {
        code: "lookup_failed",
        message: `Guardrails could not look up @${command.by}'s access (${describeError(error)}); write the command again`,
      },
    };
  }
}

/** One JSON log line per break-glass event: the audit trail of the app's own log. */
function logOverrideEvent(log: Logger, repository: string, pr: number, event: OverrideEvent): void {
  const base = { audit: event.kind, repository, pr };
  switch (event.kind) {
    case "override":
      log.info(
        {
          ...base,
          by: event.record.by,
          at: event.record.at,
          reason: event.record.reason,
          head: event.record.head,
          via: event.record.via,
        },
        "override",
      );
      break;
    case "override_refused":
      log.info(
        {
          ...base,
          by: event.refusal.by,
          at: event.refusal.at,
          head: event.refusal.head,
          refusal: event.refusal.code,
          reason: event.refusal.message,
        },
        "override_refused",
      );
      break;
    case "override_withdrawn":
    case "override_ended":
      log.info(
        {
          ...base,
          by: event.record.by,
          reason: event.record.reason,
          head: event.record.head,
          how: event.record.how,
          endedBy: event.record.endedBy,
          endedAt: event.record.endedAt,
          note: event.record.note,
        },
        event.kind,
      );
      break;
  }
}
