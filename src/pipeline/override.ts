/**
 * Break glass in the pipeline: looks up who wrote an override command (their permission, the
 * listed teams they belong to: only what the decision needs) and whether the author of an
 * override in force is still allowed, then lets the pure transition (src/overrides/transition.ts)
 * move the signed state. The audit log lines of its events are written here too.
 */
import type { Logger } from "pino";
import { authorizeOverride, overrideLookups, type Authorization, type PolicyInForce } from "../engine/override.js";
import { canWrite } from "../engine/types.js";
import { describeError } from "../github/errors.js";
import type { ChecklistState } from "../state/checklist-state.js";
import type { GitHub } from "../github/octokit.js";
import { fetchMembership, fetchPermission } from "../github/permissions.js";
import type { PullRequestSnapshot } from "../github/snapshot.js";
import { overrideGuards } from "../overrides/guards.js";
import { nextOverrideState, type CommandInput, type OverrideEvent } from "../overrides/transition.js";

export interface SettleInput {
  repo: { owner: string; repo: string };
  number: number;
  snapshot: PullRequestSnapshot;
  state: ChecklistState;
  /** What binds an override to what was seen (src/overrides/guards.ts). */
  guards: ReturnType<typeof overrideGuards>;
  policies: PolicyInForce[];
  command?: CommandInput;
  now: string;
}

export async function settleOverride(
  github: GitHub,
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
  return nextOverrideState(input.state, {
    headSha: snapshot.headSha,
    author,
    policies: input.policies,
    now: input.now,
    ...(command ? { command } : {}),
    ...(authorization ? { authorization } : {}),
    ...(overriderNow ? { overriderNow } : {}),
    ...input.guards,
  });
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
export function logOverrideEvent(log: Logger, repository: string, pr: number, event: OverrideEvent): void {
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
