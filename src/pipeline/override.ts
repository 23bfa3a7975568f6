/**
 * Break glass in the pipeline: looks up who wrote an override command (their permission, the
 * listed teams they belong to: only what the decision needs) and whether the author of an
 * override in force is still allowed, then lets the pure transition (src/overrides/transition.ts)
 * move the signed state. The audit log lines of its events are written here too.
 */
import type { Logger } from "pino";
import {
  authorizeOverride,
  mayBeAllowed,
  overrideLookups,
  type Authorization,
  type PolicyInForce,
} from "../engine/override.js";
import { canWrite } from "../engine/types.js";
import { describeError } from "../github/errors.js";
import type { ChecklistState } from "../state/checklist-state.js";
import type { GitHub } from "../github/octokit.js";
import { fetchMembership, fetchPermission } from "../github/permissions.js";
import type { PullRequestSnapshot } from "../github/snapshot.js";
import type { RecentComment } from "../github/snapshot-fields.js";
import { parseOverrideCommand } from "../overrides/command.js";
import type { overrideGuards } from "../overrides/guards.js";
import {
  nextOverrideState,
  type CommandInput,
  type OverrideEvent,
  type TransitionInput,
} from "../overrides/transition.js";

export interface SettleInput {
  repo: { owner: string; repo: string };
  number: number;
  snapshot: PullRequestSnapshot;
  state: ChecklistState;
  /** What binds an override to what was seen (src/overrides/guards.ts). */
  guards: ReturnType<typeof overrideGuards>;
  policies: PolicyInForce[];
  /** The commands this evaluation handles (coalesced per PR: src/webhooks/command-batches.ts). */
  commands?: readonly CommandInput[];
  now: string;
}

type Settled = { state: ChecklistState; events: OverrideEvent[] };

export async function settleOverride(github: GitHub, input: SettleInput): Promise<Settled> {
  const { snapshot } = input;
  const authorizations = new Authorizations(github, input);
  // An override in force on this head: is its author still allowed (access, team)? Asked in every
  // evaluation, one that handles commands too (else anyone's command would keep it standing). A
  // lookup that fails throws, and the evaluation fails closed without ending the override.
  const held = input.state.override;
  const overriderNow =
    held && held.head === snapshot.headSha
      ? await authorizations.of(
          { command: { kind: "withdraw" }, by: held.by, isBot: false, commentId: 0, at: held.at },
          true,
        )
      : undefined;
  let settled: Settled = nextOverrideState(
    input.state,
    transitionInput(input, input.state, overriderNow ? { overriderNow } : {}),
  );
  const apply = (command: CommandInput, authorization: Authorization) => {
    const next = nextOverrideState(settled.state, transitionInput(input, settled.state, { command, authorization }));
    settled = { state: next.state, events: [...settled.events, ...next.events] };
  };
  // Then the commands in comment order, each on the state the one before left; who asked is looked up once per person.
  const commands = [...(input.commands ?? [])].sort((a, b) => a.commentId - b.commentId);
  for (const command of commands) apply(command, await authorizations.of(command, command.command.kind === "withdraw"));
  // An override still in force: an allowed person's `off` whose own evaluation failed or was never
  // delivered is read again from the PR's last comments (a withdrawal is never lost), also when this
  // evaluation handled someone else's refused `off`. A lookup that fails throws (fail closed).
  const withdrawal = await pendingWithdrawal(input, settled.state, authorizations);
  if (withdrawal && "command" in withdrawal) apply(withdrawal.command, withdrawal.authorization);
  else if (withdrawal) {
    const ended = nextOverrideState(
      settled.state,
      transitionInput(input, settled.state, { withdrawalsNotLookedUp: withdrawal.notLookedUp }),
    );
    settled = { state: ended.state, events: [...settled.events, ...ended.events] };
  }
  return settled;
}

function transitionInput(input: SettleInput, state: ChecklistState, extra: Partial<TransitionInput>): TransitionInput {
  return {
    headSha: input.snapshot.headSha,
    author: input.snapshot.author.login,
    policies: input.policies,
    now: input.now,
    ...(withdrawalsUnseen(state, input.snapshot) ? { withdrawalsUnseen: true } : {}),
    ...extra,
    ...input.guards,
  };
}

/**
 * Whether comments written since the override in force (in the state being moved) was given fall
 * outside the last 100 the snapshot reads: an `off` among them cannot be read again, so the
 * override cannot be trusted. One given in this very evaluation is judged on its own comment.
 */
function withdrawalsUnseen(state: ChecklistState, snapshot: PullRequestSnapshot): boolean {
  const held = state.override;
  if (!held || snapshot.recentCommentsComplete) return false;
  const oldestRead = Math.min(...snapshot.recentComments.map((c) => c.id));
  return held.commentId === undefined || !(oldestRead <= held.commentId);
}

/** Who asked, looked up once per person and evaluation. */
class Authorizations {
  private readonly known = new Map<string, Promise<Authorization>>();

  constructor(
    private readonly github: GitHub,
    private readonly input: SettleInput,
  ) {}

  of(command: CommandInput, throwOnLookupFailure: boolean): Promise<Authorization> {
    const key = JSON.stringify([command.by.toLowerCase(), command.isBot, command.viaApp, throwOnLookupFailure]);
    let found = this.known.get(key);
    if (!found) {
      const { repo, policies, snapshot } = this.input;
      found = authorize(
        this.github,
        repo,
        policies,
        command,
        snapshot.author.login,
        snapshot.ownerIsOrganization,
        throwOnLookupFailure,
      );
      this.known.set(key, found);
    }
    return found;
  }
}

/** How many people's `off` comments one evaluation looks up at most (each costs a permission lookup). */
const MAX_WITHDRAWALS_READ = 5;
/** Associations of people who may hold write access: looked up after the people a policy lists. */
const LIKELY_WRITERS = new Set(["OWNER", "MEMBER", "COLLABORATOR"]);

type PendingWithdrawal = { command: CommandInput; authorization: Authorization } | { notLookedUp: number } | undefined;

/**
 * The newest `/guardrails override off` among the PR's last comments, written after the override
 * in force on this head, by a person allowed now (looked up; a failed lookup throws). Each person's
 * newest `off` only; nobody who could never be allowed is looked up (bots, the author, people no
 * policy lists when none lists teams); people a policy lists come first, then likely writers, then
 * the newest. When more people could be allowed than are looked up and none of those was, the
 * answer says how many were not (the override then ends: other people's `off` comments must not
 * push an allowed person's out of the lookups).
 */
async function pendingWithdrawal(
  input: SettleInput,
  state: ChecklistState,
  authorizations: Authorizations,
): Promise<PendingWithdrawal> {
  const held = state.override;
  if (!held || held.head !== input.snapshot.headSha) return undefined;
  const author = input.snapshot.author.login;
  const newestByPerson = new Map<string, RecentComment>();
  for (const c of input.snapshot.recentComments) {
    if (c.id <= (held.commentId ?? 0) || parseOverrideCommand(c.body)?.kind !== "withdraw") continue;
    if (mayBeAllowed(input.policies, c.by, c.isBot, author)) newestByPerson.set(c.by.toLowerCase(), c);
  }
  const rank = (c: RecentComment) =>
    listed(input.policies, c.by) ? 2 : LIKELY_WRITERS.has(c.association ?? "") ? 1 : 0;
  const candidates = [...newestByPerson.values()].sort((a, b) => rank(b) - rank(a) || b.id - a.id);
  for (const c of candidates.slice(0, MAX_WITHDRAWALS_READ)) {
    const command: CommandInput = {
      command: { kind: "withdraw" },
      by: c.by,
      isBot: c.isBot,
      commentId: c.id,
      at: c.at,
    };
    const authorization = await authorizations.of(command, true);
    if (authorization.ok) return { command, authorization };
  }
  const notLookedUp = candidates.length - MAX_WITHDRAWALS_READ;
  return notLookedUp > 0 ? { notLookedUp } : undefined;
}

const listed = (policies: readonly PolicyInForce[], login: string) =>
  policies.some((p) => p.overrides?.users.some((u) => u.toLowerCase() === login.toLowerCase()));

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
