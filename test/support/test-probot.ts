/** A Probot instance for in-process tests: real Octokit, no retries or throttling, the app loaded. */
import { generateKeyPairSync } from "node:crypto";
import { createRequire } from "node:module";
import { Probot, ProbotOctokit } from "probot";
import { pino } from "pino";
import { guardrailsApp, type GuardrailsOptions } from "../../src/webhooks/app.js";
import type { ExampleOf } from "./example-types.js";

export const TEST_PRIVATE_KEY = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .privateKey.export({ type: "pkcs1", format: "pem" })
  .toString();
export const TEST_APP_ID = 123;
export const TEST_STATE_SECRET = "test-state-secret";

/** The options Probot merges into the Octokit it creates (only the two switched off here are named). */
export interface OctokitOptions {
  retry?: object;
  throttle?: object;
  [option: string]: unknown;
}

/**
 * Octokit without retries and throttling. Plain `defaults({ throttle: { enabled: false } })` does
 * not reach the installation client: Probot's own throttle options replace the object and
 * ProbotOctokit turns `enabled` back on, which spaces every write one second apart. A function
 * runs after those merges, so `enabled: false` sticks.
 */
export const UnthrottledOctokit: typeof ProbotOctokit = ProbotOctokit.defaults((instance: OctokitOptions) => ({
  ...instance,
  retry: { ...instance.retry, enabled: false },
  throttle: { ...instance.throttle, enabled: false },
}));

export function createTestProbot(options: Partial<GuardrailsOptions> = {}): Probot {
  const probot = new Probot({
    appId: TEST_APP_ID,
    privateKey: TEST_PRIVATE_KEY,
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
    Octokit: UnthrottledOctokit,
  });
  void probot.load(guardrailsApp({ appId: TEST_APP_ID, stateSecret: TEST_STATE_SECRET, ...options }));
  return probot;
}

const require = createRequire(import.meta.url);
/** The examples file: each event's payloads (typed by event through `ExampleOf`). */
type ExampleGroup = { name: string; examples: object[] };
const groups = require("@octokit/webhooks-examples/api.github.com/index.json") as ExampleGroup[];

/** Every example payload of an event (a deep copy, free to adjust). */
export function examplePayloads<E extends string>(event: E): ExampleOf<E>[] {
  const group = groups.find((g) => g.name === event);
  if (!group) throw new Error(`no examples for ${event}`);
  return group.examples.map((payload) => structuredClone(payload) as ExampleOf<E>);
}

/** The first example payload of an event and action (a deep copy, free to adjust). */
export function examplePayload<E extends string>(event: E, action?: string): ExampleOf<E> {
  const payload = examplePayloads(event).find((p) => action === undefined || p.action === action);
  if (!payload) throw new Error(`no example for ${event}.${action}`);
  return payload;
}
