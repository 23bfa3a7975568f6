/**
 * Break glass (the policy's `overrides`): who may override, and what an override in force does to
 * a decision. Pure: the adapter gathers who asked (permission, team memberships) and keeps the
 * record; this module judges and applies it.
 *
 * Every policy in force must allow the person: with an enforced organisation policy an override
 * bypasses its requirements too, so a repository cannot grant itself a way around the floor.
 */
import type { Policy } from "../policy/schema.js";
import { canWrite, type Decision, type OverrideRecord, type Permission, type PolicyOrigin } from "./types.js";

export type OverridesPolicy = NonNullable<Policy["overrides"]>;

export interface PolicyInForce {
  origin: PolicyOrigin;
  overrides: OverridesPolicy | undefined;
}

export interface OverrideActor {
  login: string;
  isBot: boolean;
  /** The person's repository permission; undefined when it was not looked up. */
  permission?: Permission;
  /** Teams listed in some policy's `overrides.teams` that the person is an active member of. */
  teams: string[];
}

export type RefusalCode =
  | "bot"
  | "via_app"
  | "no_overrides"
  | "author"
  | "not_allowed"
  | "permission"
  | "no_reason"
  | "head_moved"
  | "nothing_to_withdraw"
  | "lookup_failed";

export interface OverrideRefusal {
  code: RefusalCode;
  message: string;
}

export type Authorization = { ok: true; via: string[] } | { ok: false; refusal: OverrideRefusal };

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const policyName = (p: PolicyInForce, many: boolean) =>
  many ? (p.origin === "organization" ? "the enforced organisation policy" : "the repository's policy") : "the policy";

/**
 * What must be looked up about the person before `authorizeOverride` can decide: nothing when
 * the answer is already no (a bot, no `overrides`, the author), else their permission and their
 * membership of the listed teams that do not already list them as a user.
 */
export function overrideLookups(
  policies: readonly PolicyInForce[],
  login: string,
  isBot: boolean,
  author: string,
): { permission: boolean; teams: string[] } {
  const early = refusedBeforeLookups(policies, login, isBot, author);
  if (early) return { permission: false, teams: [] };
  const teams = new Set<string>();
  for (const p of policies) {
    if (p.overrides!.users.some((u) => same(u, login))) continue;
    for (const team of p.overrides!.teams) teams.add(team.toLowerCase());
  }
  return { permission: true, teams: [...teams].sort() };
}

/**
 * Whether the person could be allowed at all, known without a lookup: not a bot, not the author
 * (unless every policy allows authors), and under each policy listed as a user or possibly a member
 * of a listed team. Someone who cannot is never looked up (their `off` is not read again).
 */
export function mayBeAllowed(
  policies: readonly PolicyInForce[],
  login: string,
  isBot: boolean,
  author: string,
): boolean {
  if (refusedBeforeLookups(policies, login, isBot, author)) return false;
  return policies.every((p) => p.overrides!.users.some((u) => same(u, login)) || p.overrides!.teams.length > 0);
}

function refusedBeforeLookups(
  policies: readonly PolicyInForce[],
  login: string,
  isBot: boolean,
  author: string,
): OverrideRefusal | undefined {
  const many = policies.length > 1;
  if (isBot || /\[bot\]$/i.test(login)) return { code: "bot", message: `@${login} is a bot; only people can override` };
  const without = policies.find((p) => p.overrides === undefined);
  if (without)
    return {
      code: "no_overrides",
      message: `${policyName(without, many)} allows no overrides (it has no \`overrides\` section)`,
    };
  const forbidsAuthor = policies.find((p) => !p.overrides!.allow_author);
  if (same(login, author) && forbidsAuthor) {
    return {
      code: "author",
      message: `@${login} wrote this pull request, and ${policyName(forbidsAuthor, many)} does not let authors override their own (\`overrides.allow_author\` is false)`,
    };
  }
  return undefined;
}

/** Whether the person may override (or withdraw an override) under every policy in force. */
export function authorizeOverride(
  policies: readonly PolicyInForce[],
  actor: OverrideActor,
  author: string,
): Authorization {
  const early = refusedBeforeLookups(policies, actor.login, actor.isBot, author);
  if (early) return { ok: false, refusal: early };
  const many = policies.length > 1;
  const via: string[] = [];
  for (const p of policies) {
    const allowed = p.overrides!;
    if (allowed.users.some((u) => same(u, actor.login))) {
      via.push("user");
      continue;
    }
    const team = allowed.teams.find((t) => actor.teams.some((m) => same(m, t)));
    if (team) {
      via.push(`team:${team.toLowerCase()}`);
      continue;
    }
    // Names in code spans: a refusal must not let anyone make the app @mention the people allowed.
    const who = [...allowed.users.map((u) => `\`${u}\``), ...allowed.teams.map((t) => `team \`${t}\``)];
    return {
      ok: false,
      refusal: {
        code: "not_allowed",
        message: `@${actor.login} may not override: ${policyName(p, many)} allows ${who.length ? who.join(", ") : "nobody"} (\`overrides.users\`, \`overrides.teams\`)`,
      },
    };
  }
  if (!canWrite(actor.permission)) {
    return {
      ok: false,
      refusal: {
        code: "permission",
        message: `@${actor.login} has ${actor.permission ?? "no"} access to the repository; overriding needs write access or above`,
      },
    };
  }
  return { ok: true, via };
}

/**
 * An override granted earlier still holds only while the policies in force still allow its
 * author the way they did (a policy change that drops the person or the team ends it; no request
 * is needed to tell). Returns why it no longer holds, or undefined.
 */
export function overrideNoLongerAllowed(
  record: OverrideRecord,
  policies: readonly PolicyInForce[],
  author: string,
): string | undefined {
  if (record.via.length !== policies.length) return "the policies in force changed since it was given";
  for (const [i, p] of policies.entries()) {
    const allowed = p.overrides;
    const many = policies.length > 1;
    if (!allowed) return `${policyName(p, many)} no longer allows overrides`;
    if (same(record.by, author) && !allowed.allow_author)
      return `${policyName(p, many)} no longer lets authors override their own pull request`;
    const via = record.via[i]!;
    const still =
      via === "user"
        ? allowed.users.some((u) => same(u, record.by))
        : via.startsWith("team:") && allowed.teams.some((t) => same(t, via.slice(5)));
    if (!still)
      return `${policyName(p, many)} no longer lists @${record.by}${via.startsWith("team:") ? ` (team ${via.slice(5)})` : ""} in \`overrides\``;
  }
  return undefined;
}

/** The decision with the override in force: it concludes `success` and names what it bypasses. */
export function applyOverride(decision: Decision, record: OverrideRecord | undefined, headSha: string): Decision {
  // Bound to its commit: on any other head it does nothing.
  if (!record || record.head !== headSha) return decision;
  return {
    ...decision,
    conclusion: "success",
    override: { ...record, bypassed: decision.requirements.filter((r) => !r.met) },
  };
}

/** The policies whose `overrides` must all allow the person (the repository's, and an enforced floor). */
export function policiesInForce(policy: Policy, floor: Policy | undefined): PolicyInForce[] {
  return [
    { origin: "repository", overrides: policy.overrides },
    ...(floor ? [{ origin: "organization" as const, overrides: floor.overrides }] : []),
  ];
}
