/**
 * The machine-readable decision record: one hidden line in every completed `guardrails` check run
 * (an HTML comment, so it renders as nothing, placed before the readable details so truncation
 * never cuts it). It is the audit trail GitHub keeps for us: `guardrails audit` reads it back for
 * every merged PR. Keyed by PR number, because one commit can be the head of several PRs.
 *
 * Versioned (`v1`); readers ignore a record they cannot parse, and a record never carries the
 * evaluation's time, so re-evaluating an unchanged PR writes nothing.
 */
import { z } from "zod";
import type { Decision, OverrideRecord } from "../engine/types.js";
import { TIERS } from "../policy/schema.js";
import { overrideRecordSchema } from "../overrides/record.js";
import type { PolicySource } from "../policy/source.js";
import { MAX_PUSHERS, type ChecklistState } from "./checklist-state.js";
import { readRecords, writeRecordLine } from "./hidden-lines.js";

export const DECISION_RECORD_VERSION = 1;
const PREFIX = "<!-- guardrails-decision v1 ";
const SUFFIX = " -->";
/** A record line stays well inside the run's 65535 characters. */
const MAX_LINE_CHARS = 24_000;
const MAX_MESSAGE_CHARS = 300;

const short = (max: number) => z.string().max(max);
const policySourceSchema = z.object({
  kind: z.enum(["repository", "organization", "built-in"]),
  repository: short(200).optional(),
  path: short(200).optional(),
  commit: short(64).optional(),
});
const overrideSchema = overrideRecordSchema.extend({ bypassed: z.array(short(MAX_MESSAGE_CHARS + 40)).max(60) });

export const decisionRecordSchema = z.object({
  head: short(64),
  conclusion: z.enum(["success", "failure"]),
  /** `evaluate`: a trial (the check passed whatever was unmet); absent in older records means `enforce`. */
  mode: z.enum(["enforce", "evaluate"]).optional(),
  /** Whether enforcement would have failed this head: a trial's result (`guardrails audit`'s would_fail). */
  wouldFail: z.boolean().optional(),
  tier: z.enum(TIERS).optional(),
  /** Set when no decision could be made (a broken policy, an evaluation error). */
  error: short(2 * MAX_MESSAGE_CHARS).optional(),
  agentAuthored: z.boolean().optional(),
  reasons: z
    .array(
      z.object({
        kind: short(40),
        tier: z.enum(TIERS),
        policy: short(20).optional(),
        rule: short(200).optional(),
        files: z.number().int().nonnegative().optional(),
        message: short(MAX_MESSAGE_CHARS),
      }),
    )
    .max(60)
    .optional(),
  requirements: z
    .array(
      z.object({
        kind: short(40),
        met: z.boolean(),
        policy: short(20).optional(),
        sources: z.array(short(200)).max(20),
        message: short(MAX_MESSAGE_CHARS),
      }),
    )
    .max(60)
    .optional(),
  /** Valid approvals of this head (who counts under `approvals.stale`). */
  approvers: z.array(short(100)).max(100).optional(),
  ticks: z
    .array(z.object({ item: short(MAX_MESSAGE_CHARS), by: short(100), at: short(40) }))
    .max(100)
    .optional(),
  tickets: z.array(short(200)).max(10).optional(),
  override: overrideSchema.optional(),
  /** The override's change counter (src/overrides/transition.ts): a signed state older than it is not trusted. */
  overrideSeq: z.number().int().nonnegative().optional(),
  /** When Guardrails first evaluated this PR at this head (an override command written before it was about another head). */
  headSince: short(40).optional(),
  /**
   * Who pushed to the PR (a `synchronize` by someone else), carried from run to run beside the
   * signed comment state (src/state/checklist-state.ts `pushers`), so `approvals.ignore_contributors`
   * loses no pusher to an evaluation that failed or to a comment someone with write access deleted
   * or edited: the app alone writes its check runs. The next evaluation takes them over.
   */
  pushers: z.array(short(100)).max(MAX_PUSHERS).optional(),
  /** More pushers than kept: every reviewer may be one (fail closed). */
  pushersOverflow: z.literal(true).optional(),
  /**
   * Written by an evaluation at this head before the event that brought it (its push) was handled:
   * who pushed the head is still unknown, and stays so for every later evaluation but that event's.
   */
  pushUnknown: z.literal(true).optional(),
  policy: policySourceSchema.optional(),
  floorPolicy: policySourceSchema.optional(),
  /** Set when details were left out to keep the line bounded. */
  truncated: z.boolean().optional(),
});

export type DecisionRecord = z.infer<typeof decisionRecordSchema>;
export type DecisionRecords = Record<string, DecisionRecord>;
const recordsSchema = z.record(z.string().regex(/^\d{1,10}$/), decisionRecordSchema);

const clip = (text: string, max = MAX_MESSAGE_CHARS) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export interface RecordInput {
  headSha: string;
  decision: Decision;
  approvers: readonly string[];
  state: ChecklistState;
  policy: PolicySource;
  floorPolicy?: PolicySource;
  overrideSeq: number;
  headSince: string;
  /** Who pushed the head is unknown (pushUnknownAt). */
  pushUnknown?: boolean;
}

/** The record of one PR's decision. */
export function decisionRecord(input: RecordInput): DecisionRecord {
  const { decision } = input;
  const tickets = decision.ticketReferences ?? decision.requirements.flatMap((r) => r.references ?? []);
  const record: DecisionRecord = {
    head: input.headSha,
    conclusion: decision.conclusion,
    mode: decision.mode,
    wouldFail: decision.wouldFail,
    tier: decision.tier,
    agentAuthored: decision.agentAuthored,
    reasons: decision.reasons.slice(0, 60).map((r) => ({
      kind: r.kind,
      tier: r.tier,
      ...(r.policy ? { policy: r.policy } : {}),
      ...(r.rule ? { rule: clip(r.rule, 200) } : {}),
      ...(r.files ? { files: r.fileCount ?? r.files.length } : {}),
      message: clip(r.message),
    })),
    requirements: decision.requirements.slice(0, 60).map((r) => ({
      kind: r.kind,
      met: r.met,
      ...(r.policy ? { policy: r.policy } : {}),
      sources: r.sources.slice(0, 20).map((s) => clip(s, 200)),
      message: clip(r.message),
    })),
    approvers: [...input.approvers].slice(0, 100),
    ticks: Object.entries(input.state.ticks)
      .filter(([item]) => decision.checklist.includes(item))
      .slice(0, 100)
      .map(([item, tick]) => ({ item: clip(item), by: tick.by, at: tick.at })),
    ...(tickets.length ? { tickets: tickets.slice(0, 10).map((t) => clip(t, 200)) } : {}),
    ...(decision.override
      ? {
          override: overrideOf(
            decision.override,
            decision.override.bypassed.map((r) => clip(`${r.kind}: ${r.message}`, MAX_MESSAGE_CHARS + 40)),
          ),
        }
      : {}),
    ...(input.overrideSeq > 0 ? { overrideSeq: input.overrideSeq } : {}),
    headSince: input.headSince,
    policy: input.policy,
    ...(input.floorPolicy ? { floorPolicy: input.floorPolicy } : {}),
    ...(input.state.pushers?.length ? { pushers: input.state.pushers.slice(0, MAX_PUSHERS) } : {}),
    ...(input.state.pushersOverflow ? { pushersOverflow: true as const } : {}),
    ...(input.pushUnknown ? { pushUnknown: true as const } : {}),
  };
  return record;
}

function overrideOf(o: OverrideRecord, bypassed: string[]): DecisionRecord["override"] {
  return {
    by: o.by,
    at: o.at,
    reason: o.reason,
    head: o.head,
    ...(o.base !== undefined ? { base: o.base } : {}),
    via: o.via,
    ...(o.commentId !== undefined ? { commentId: o.commentId } : {}),
    bypassed: bypassed.slice(0, 60),
  };
}

/**
 * When this PR was first evaluated at this head: kept from its record on the head's run, unless
 * an event that brings the head (a push, open or reopen) is newer than it: the PR came back to a
 * head it had before, perhaps by a fast-forward, so it starts again. A redelivery of the same
 * event (not newer) keeps it; an event without a readable time starts it again (fail closed).
 */
export function headSinceFor(
  previous: DecisionRecord | undefined,
  headSha: string,
  headEventAt: string | undefined,
  now: string,
): string {
  const kept = previous?.head === headSha ? previous.headSince : undefined;
  if (kept === undefined) return now;
  return headEventAt !== undefined && !(Date.parse(kept) >= Date.parse(headEventAt)) ? now : kept;
}

/** What an evaluation knows that guards overrides, beyond the record it replaces. */
export interface OverrideGuard {
  /** The highest override counter seen (the signed state, the records read). */
  seq?: number;
  /** This head's first evaluation time as this evaluation computed it (headSinceFor). */
  headSince?: string;
}

/**
 * The record of an evaluation that decided nothing (the check fails). It keeps what guards
 * overrides: the override counter never goes down (the higher of the record it replaces and what
 * the evaluation saw), and the head's first evaluation time is the one this evaluation computed
 * (an event that brought the head back starts it again, even when the evaluation failed).
 */
export function errorRecord(
  headSha: string,
  error: string,
  previous: DecisionRecord | undefined,
  policy?: PolicySource,
  guard: OverrideGuard = {},
  pushers: readonly string[] = [],
  pushUnknown = false,
): DecisionRecord {
  const kept = previous?.head === headSha ? previous : undefined;
  const seq = Math.max(previous?.overrideSeq ?? 0, guard.seq ?? 0);
  const headSince = guard.headSince ?? kept?.headSince;
  const pending = pendingPushers(previous?.pushers, pushers);
  // More than a record keeps: every reviewer may be one of those left out (fail closed).
  const overflow = previous?.pushersOverflow === true || pending.length > MAX_PUSHERS;
  return {
    ...(overflow ? { pushersOverflow: true as const } : {}),
    ...(pushUnknown ? { pushUnknown: true as const } : {}),
    head: headSha,
    conclusion: "failure",
    error: clip(error, 2 * MAX_MESSAGE_CHARS),
    ...(policy ? { policy } : {}),
    ...(seq > 0 ? { overrideSeq: seq } : {}),
    ...(headSince !== undefined ? { headSince } : {}),
    ...(pending.length ? { pushers: pending.slice(0, MAX_PUSHERS) } : {}),
  };
}

/**
 * Whether who pushed the head is unknown to an evaluation: it is not the event that brought the
 * head, and no evaluation of that event wrote this PR's record on the head's run (none, or only
 * ones written before it, which say so). Each later record says so again until that event is handled.
 */
export function pushUnknownAt(record: DecisionRecord | undefined, bringsHead: boolean): boolean {
  return !bringsHead && (record === undefined || record.pushUnknown === true);
}

/**
 * The pushers of several lists, each login once (case-insensitive). Not cut here: whoever keeps
 * them (the signed state, a record) marks an overflow past MAX_PUSHERS instead of losing names.
 */
export function pendingPushers(...lists: (readonly (string | undefined)[] | undefined)[]): string[] {
  const seen = new Map<string, string>();
  for (const login of lists.flatMap((list) => list ?? []))
    if (login && !seen.has(login.toLowerCase())) seen.set(login.toLowerCase(), login);
  return [...seen.values()];
}

/** The hidden line, with every `-` escaped so the comment cannot end early (`--`). */
function encodeLine(records: DecisionRecords): string {
  const json = (r: DecisionRecords) => JSON.stringify(r).replace(/-/g, "\\u002d");
  let body = json(records);
  if (PREFIX.length + body.length + SUFFIX.length > MAX_LINE_CHARS) {
    const slim = Object.fromEntries(
      Object.entries(records).map(([pr, r]) => {
        const { reasons: _r, ticks: _t, approvers, requirements, ...rest } = r;
        return [
          pr,
          {
            ...rest,
            approvers: approvers?.slice(0, 20),
            requirements: requirements?.map((q) => ({ ...q, message: clip(q.message, 80) })),
            truncated: true,
          },
        ];
      }),
    );
    body = json(slim);
  }
  return `${PREFIX}${body}${SUFFIX}`;
}

/** The decision records in a check run's text (empty when there are none or the line is malformed). */
export function readDecisionRecords(text: string | null | undefined): DecisionRecords {
  return readRecords(text, PREFIX, recordsSchema) ?? {};
}

/**
 * Whether a `guardrails` run's pass may rest on CI results: a record that passed with a `checks`
 * requirement, or a pass whose records cannot be read (fail closed). A CI run queued again on its
 * commit (a re-run) then takes the pass back.
 */
export function passMayRestOnChecks(conclusion: string | null, text: string | null): boolean {
  if (conclusion !== "success") return false;
  const records = Object.values(readDecisionRecords(text));
  if (records.length === 0) return true;
  return records.some((r) => r.conclusion === "success" && (r.requirements ?? []).some((q) => q.kind === "checks"));
}

/** The text with the records line placed after any delegation line and before the readable text. */
export function writeDecisionRecords(text: string, records: DecisionRecords): string {
  const line = encodeLine(records);
  return writeRecordLine(
    text,
    PREFIX,
    Object.keys(records).length ? line.slice(PREFIX.length, line.length - SUFFIX.length) : undefined,
  );
}
