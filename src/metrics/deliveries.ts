/**
 * Webhook deliveries by outcome. The HTTP front knows how it answered; only the app knows whether
 * a delivery led to an evaluation, so the app marks the deliveries it evaluates (by delivery id)
 * and the front reads the mark when it answers.
 */
import { webhookDeliveries, type DeliveryOutcome } from "./metrics.js";

/** Delivery ids with an evaluation, until the front has answered them (bounded: oldest out first). */
const evaluated = new Set<string>();
const MAX_MARKS = 10_000;

export function markDeliveryEvaluated(deliveryId: string | undefined): void {
  if (!deliveryId) return;
  evaluated.add(deliveryId);
  if (evaluated.size > MAX_MARKS) evaluated.delete(evaluated.values().next().value as string);
}

/** Whether the app evaluated something for this delivery; forgets the mark. */
export function takeDeliveryEvaluated(deliveryId: string): boolean {
  return evaluated.delete(deliveryId);
}

/**
 * Event names come from GitHub only once the signature matched; before that anyone could put
 * anything in the header, so refused deliveries are counted under `unverified`.
 */
export function eventLabel(name: string | undefined, verified: boolean): string {
  if (!verified) return "unverified";
  return name && /^[a-z_]{1,50}$/.test(name) ? name : "other";
}

/** The outcome of an answered delivery, from its status code. */
export function outcomeOf(status: number, deliveryId: string | undefined): DeliveryOutcome {
  if (status === 200) return deliveryId !== undefined && takeDeliveryEvaluated(deliveryId) ? "evaluated" : "ignored";
  if (status === 202) return "accepted";
  if (status === 401) return "rejected_signature";
  if (status >= 500 && status !== 503) return "failed";
  return "rejected";
}

export function recordDelivery(event: string, outcome: DeliveryOutcome): void {
  webhookDeliveries.inc({ event, outcome });
}
