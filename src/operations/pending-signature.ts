/**
 * Authority never comes from stored state someone else could have written: a pending entry (a
 * file or a Redis hash, src/operations/pending-evaluations.ts) is signed by the process that
 * records it, with a key derived from the app's state secret under its own label (the store's
 * writer does not hold it). A resumed entry whose signature fails keeps only what any event may
 * ask for, an evaluation of the PR it names; who commented or ticked is dropped, never trusted.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { CommandInput } from "../overrides/transition.js";
import type { PullRequestTarget, Trigger } from "../trigger.js";
import type { PendingEvaluation } from "./pending-evaluations.js";

/** A key of its own, so that no other signature made with the state secret is ever an entry's. */
const keyOf = (secret: string) => createHmac("sha256", secret).update("guardrails pending evaluation v1").digest();

function signatureOf(secret: string, entry: PendingEvaluation): string {
  const signed = JSON.stringify([entry.installationId, entry.target, entry.trigger]);
  return createHmac("sha256", keyOf(secret)).update(signed).digest("hex");
}

/** The entry with its signature, for the store. */
export function signPending(secret: string, entry: PendingEvaluation): PendingEvaluation {
  return { ...entry, signature: signatureOf(secret, entry) };
}

function verified(secret: string, entry: PendingEvaluation): boolean {
  if (typeof entry.signature !== "string") return false;
  const expected = Buffer.from(signatureOf(secret, entry));
  const given = Buffer.from(entry.signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * What a resumed entry may ask for: as written when signed by us; else the PR it names (no head,
 * file count or previous head) and the event's name only.
 */
export function trustedParts(
  secret: string,
  entry: PendingEvaluation,
): { target: PullRequestTarget; trigger: Trigger; trusted: boolean } {
  if (verified(secret, entry)) return { target: entry.target, trigger: currentTrigger(entry.trigger), trusted: true };
  const { owner, repo, number } = entry.target;
  return {
    target: { owner, repo, number },
    trigger: { event: String(entry.trigger.event).slice(0, 100) },
    trusted: false,
  };
}

/** An entry recorded by a version before commands were coalesced kept one `overrideCommand`. */
function currentTrigger(trigger: Trigger & { overrideCommand?: CommandInput }): Trigger {
  const { overrideCommand, ...rest } = trigger;
  return overrideCommand && !rest.overrideCommands ? { ...rest, overrideCommands: [overrideCommand] } : rest;
}
