/**
 * The labels a decision wants on the PR against the ones it has: `<prefix><tier>` as the only tier
 * label, and `<prefix>overridden` while an override is in force. A label is created in the
 * repository first unless it is known to exist there (KnownLabels, kept by the app instance).
 */
import { TIERS, type Tier } from "../policy/schema.js";

export type LabelWrite =
  | { kind: "remove"; name: string }
  | { kind: "create"; name: string; color: string; description: string }
  | { kind: "add"; name: string };

const TIER_LABELS: Record<Tier, { color: string; description: string }> = {
  low: { color: "0e8a16", description: "Guardrails: low risk" },
  medium: { color: "fbca04", description: "Guardrails: medium risk" },
  high: { color: "d93f0b", description: "Guardrails: high risk, mandatory oversight" },
};
const OVERRIDDEN_LABEL = { color: "5319e7", description: "Guardrails: the check was overridden (break glass)" };

/**
 * Repositories known to have a label already (saves a create per label change). Bounded: the
 * oldest entries go first (a forgotten label costs one create that answers 422).
 */
export class KnownLabels {
  private readonly keys = new Set<string>();
  constructor(readonly limit = 30_000) {}

  has(repository: string, name: string): boolean {
    return this.keys.has(`${repository}:${name}`.toLowerCase());
  }

  remember(repository: string, name: string): void {
    const key = `${repository}:${name}`.toLowerCase();
    this.keys.delete(key);
    this.keys.add(key);
    if (this.keys.size > this.limit) this.keys.delete(this.keys.values().next().value as string);
  }
}

export interface WantedLabels {
  prefix: string;
  tier: Tier;
  overridden: boolean;
}

/** The tier label's writes: stale tier labels removed, the wanted one created if need be and added. */
export function planTierLabel(
  current: readonly string[],
  wanted: WantedLabels,
  known: (name: string) => boolean,
): LabelWrite[] {
  const name = `${wanted.prefix}${wanted.tier}`;
  const stale = TIERS.map((t) => `${wanted.prefix}${t}`).filter((label) => label !== name && current.includes(label));
  const writes: LabelWrite[] = stale.map((label) => ({ kind: "remove", name: label }));
  if (!current.includes(name)) {
    if (!known(name)) writes.push({ kind: "create", name, ...TIER_LABELS[wanted.tier] });
    writes.push({ kind: "add", name });
  }
  return writes;
}

/** `<prefix>overridden` added or removed, only when it differs (names compare case-insensitively). */
export function planOverriddenLabel(
  current: readonly string[],
  wanted: WantedLabels,
  known: (name: string) => boolean,
): LabelWrite[] {
  const name = `${wanted.prefix}overridden`;
  const has = current.some((label) => label.toLowerCase() === name.toLowerCase());
  if (has === wanted.overridden) return [];
  if (!wanted.overridden) return [{ kind: "remove", name }];
  return [...(known(name) ? [] : [{ kind: "create" as const, name, ...OVERRIDDEN_LABEL }]), { kind: "add", name }];
}
