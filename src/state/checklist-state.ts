/**
 * The sticky checklist comment. Its visible task list is only a view: the ticks that count live in
 * a hidden state block that the app signs (HMAC-SHA256, bound to the repository and PR number), so
 * a hand-edited comment, an imitation comment or a state copied from another PR counts for nothing.
 * The state records who ticked each item and when, from the edit events, as an audit trail.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { ChecklistTick, OverrideRecord } from "../engine/types.js";
import { neutraliseMentions } from "../markdown.js";
import { overrideRecordSchema } from "../overrides/record.js";

export const COMMENT_MARKER = "<!-- guardrails:checklist -->";
const STATE_PATTERN = /<!-- guardrails:state ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+) -->/;
const TASK_PATTERN = /^\s*[-*] \[( |x|X)\] (.+?)\s*$/;
const TICKED_BY_SUFFIX = /\s*<sub>.*<\/sub>\s*$/;

export interface TickRecord {
  by: string;
  at: string;
}

/** A refused override command: the comment says why until the next command or head. */
export interface OverrideRefusalRecord {
  by: string;
  at: string;
  head: string;
  code: string;
  message: string;
  commentId?: number;
}

/** The last override that ended, so the comment can say when and how. */
export interface EndedOverrideRecord extends OverrideRecord {
  how: "withdrawn" | "new_head" | "retargeted" | "no_longer_allowed" | "withdrawal_unknown";
  endedAt: string;
  endedBy?: string;
  /** The withdrawing command's comment id. */
  endedByComment?: number;
  note?: string;
}

/**
 * The signed state: who ticked what, and the break-glass record (src/overrides/). The record is
 * this state, not the command comments: editing or deleting a command comment changes nothing.
 */
export interface ChecklistState {
  ticks: Record<string, TickRecord>;
  override?: OverrideRecord;
  refused?: OverrideRefusalRecord;
  /** Whose refusals were shown on this head (lower-case logins): each person's once (src/overrides/transition.ts). */
  refusedOn?: { head: string; by: string[] };
  ended?: EndedOverrideRecord;
  /** The newest command comment applied: an older or redelivered one is not applied again. */
  lastCommand?: number;
  /**
   * Counts every change of the override (grant, withdrawal, end); the check run's decision record
   * keeps it too, so a signed state older than the run's (pasted back by a writer) is not trusted.
   */
  seq?: number;
  /**
   * Who pushed to the PR's head branch while it was open (the senders of `synchronize`, the PR
   * author left out), for `approvals.ignore_contributors`; at most MAX_PUSHERS, then
   * `pushersOverflow` says some are unknown (every reviewer may then be one: fail closed).
   */
  pushers?: string[];
  pushersOverflow?: boolean;
}

export const MAX_PUSHERS = 100;
/** How many people's refusals one head shows; later ones are logged and counted only. */
export const MAX_REFUSED_SHOWN = 10;

/** The state with one more pusher (the same state when nothing changes: no needless comment write). */
export function withPusher(state: ChecklistState, pusher: string | undefined, author: string): ChecklistState {
  if (!pusher || pusher.toLowerCase() === author.toLowerCase()) return state;
  const known = state.pushers ?? [];
  if (known.some((login) => login.toLowerCase() === pusher.toLowerCase())) return state;
  if (known.length >= MAX_PUSHERS) return state.pushersOverflow ? state : { ...state, pushersOverflow: true };
  return { ...state, pushers: [...known, pusher] };
}

/** The state with these pushers (each as withPusher). */
export function withPushers(state: ChecklistState, pushers: readonly string[], author: string): ChecklistState {
  return pushers.reduce((s, pusher) => withPusher(s, pusher, author), state);
}

const text = (max: number) => z.string().max(max);
const stateExtrasSchema = z.object({
  override: overrideRecordSchema.optional(),
  refused: z
    .object({
      by: text(100),
      at: text(40),
      head: text(64),
      code: text(40),
      message: text(2000),
      commentId: z.number().int().nonnegative().optional(),
    })
    .optional(),
  refusedOn: z.object({ head: text(64), by: z.array(text(100)).max(MAX_REFUSED_SHOWN) }).optional(),
  ended: overrideRecordSchema
    .extend({
      how: z.enum(["withdrawn", "new_head", "retargeted", "no_longer_allowed", "withdrawal_unknown"]),
      endedAt: text(40),
      endedBy: text(100).optional(),
      endedByComment: z.number().int().nonnegative().optional(),
      note: text(1000).optional(),
    })
    .optional(),
  lastCommand: z.number().int().nonnegative().optional(),
  seq: z.number().int().nonnegative().optional(),
  pushers: z.array(text(100)).max(MAX_PUSHERS).optional(),
  pushersOverflow: z.literal(true).optional(),
});

export interface PullRequestKey {
  owner: string;
  repo: string;
  number: number;
}

const keyOf = (pr: PullRequestKey) => `${pr.owner.toLowerCase()}/${pr.repo.toLowerCase()}#${pr.number}`;

function sign(secret: string, pr: PullRequestKey, payload: string): string {
  return createHmac("sha256", secret)
    .update(`${keyOf(pr)}\n${payload}`)
    .digest("base64url");
}

export function encodeState(secret: string, pr: PullRequestKey, state: ChecklistState): string {
  const ordered = Object.fromEntries(Object.entries(state.ticks).sort(([a], [b]) => a.localeCompare(b)));
  const { override, refused, refusedOn, ended, lastCommand, seq, pushers, pushersOverflow } = state;
  const fields = { ticks: ordered, override, refused, refusedOn, ended, lastCommand, seq, pushers, pushersOverflow };
  const payload = Buffer.from(JSON.stringify(fields)).toString("base64url");
  return `<!-- guardrails:state ${payload}.${sign(secret, pr, payload)} -->`;
}

/** The signed state in a comment body, or an empty state when it is missing or forged. */
export function decodeState(secret: string, pr: PullRequestKey, body: string | undefined): ChecklistState {
  const match = body ? STATE_PATTERN.exec(body) : null;
  if (!match) return { ticks: {} };
  const [, payload, signature] = match as unknown as [string, string, string];
  const expected = Buffer.from(sign(secret, pr, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ticks: {} };
  try {
    const parsed = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { ticks?: unknown };
    const ticks: Record<string, TickRecord> = {};
    if (parsed.ticks && typeof parsed.ticks === "object") {
      for (const [item, record] of Object.entries(parsed.ticks as Record<string, TickRecord>)) {
        if (typeof record?.by === "string" && typeof record?.at === "string")
          ticks[item] = { by: record.by, at: record.at };
      }
    }
    // Signed, so written by the app; still read strictly (a malformed part is dropped, never trusted).
    const extras = stateExtrasSchema.safeParse(parsed);
    if (!extras.success) return { ticks };
    const { override, refused, refusedOn, ended, lastCommand, seq, pushers, pushersOverflow } = extras.data;
    return {
      ticks,
      ...(override ? { override: withoutUndefined(override) } : {}),
      ...(refused ? { refused: withoutUndefined(refused) } : {}),
      ...(refusedOn ? { refusedOn } : {}),
      ...(ended ? { ended: withoutUndefined(ended) } : {}),
      ...(lastCommand !== undefined ? { lastCommand } : {}),
      ...(seq !== undefined ? { seq } : {}),
      ...(pushers?.length ? { pushers } : {}),
      ...(pushersOverflow ? { pushersOverflow } : {}),
    };
  } catch {
    return { ticks: {} };
  }
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The items shown ticked in a body's task list (what a person's edit says). */
export function tickedInBody(body: string): Set<string> {
  const ticked = new Set<string>();
  for (const line of body.split("\n")) {
    const match = TASK_PATTERN.exec(line);
    if (match && match[1] !== " ") ticked.add(match[2]!.replace(TICKED_BY_SUFFIX, "").trim());
  }
  return ticked;
}

/**
 * Applies a person's edit of the task list to the state: items newly ticked are recorded as
 * theirs, items they unticked are removed. Items the policy does not require are ignored.
 */
export function applyEdit(
  state: ChecklistState,
  editedBody: string,
  required: readonly string[],
  editor: string,
  at: string,
): { state: ChecklistState; changed: boolean } {
  const ticked = tickedInBody(editedBody);
  // The comment shows an item with its mentions made inert (src/render/checklist-comment.ts).
  const shown = { has: (item: string) => ticked.has(item) || ticked.has(neutraliseMentions(item)) };
  const ticks = { ...state.ticks };
  let changed = false;
  for (const item of required) {
    if (shown.has(item) && !tickOf(ticks, item)) {
      ticks[item] = { by: editor, at };
      changed = true;
    } else if (!shown.has(item) && tickOf(ticks, item)) {
      delete ticks[item];
      changed = true;
    }
  }
  return { state: { ...state, ticks }, changed };
}

/** The tick of an item: an own entry only (an item may be called `constructor`). */
export function tickOf(ticks: Record<string, TickRecord>, item: string): TickRecord | undefined {
  return Object.hasOwn(ticks, item) ? ticks[item] : undefined;
}

export function ticksForEngine(state: ChecklistState): ChecklistTick[] {
  return Object.entries(state.ticks).map(([item, record]) => ({ item, tickedBy: record.by }));
}
