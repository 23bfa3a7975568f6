/** A Probot instance for in-process tests: real Octokit, no retries or throttling, the app loaded. */
import { generateKeyPairSync } from "node:crypto";
import { createRequire } from "node:module";
import { Probot, ProbotOctokit } from "probot";
import { pino } from "pino";
import { guardrailsApp, type GuardrailsOptions } from "../../src/webhooks/app.js";

export const TEST_PRIVATE_KEY = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .privateKey.export({ type: "pkcs1", format: "pem" })
  .toString();
export const TEST_APP_ID = 123;
export const TEST_STATE_SECRET = "test-state-secret";

export function createTestProbot(options: Partial<GuardrailsOptions> = {}): Probot {
  const probot = new Probot({
    appId: TEST_APP_ID,
    privateKey: TEST_PRIVATE_KEY,
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
    // A function runs after Probot's own merges, so throttling really stays off (an object would not).
    Octokit: ProbotOctokit.defaults((instance: Record<string, any>) => ({
      ...instance,
      retry: { ...instance.retry, enabled: false },
      throttle: { ...instance.throttle, enabled: false },
    })) as typeof ProbotOctokit,
  });
  void probot.load(guardrailsApp({ appId: TEST_APP_ID, stateSecret: TEST_STATE_SECRET, ...options }));
  return probot;
}

const require = createRequire(import.meta.url);
type ExampleGroup = { name: string; examples: Record<string, any>[] };
const groups = require("@octokit/webhooks-examples/api.github.com/index.json") as ExampleGroup[];

/** Every example payload of an event (a deep copy, free to adjust). */
export function examplePayloads(event: string): Record<string, any>[] {
  const group = groups.find((g) => g.name === event);
  if (!group) throw new Error(`no examples for ${event}`);
  return group.examples.map((payload) => structuredClone(payload));
}

/** The first example payload of an event and action (a deep copy, free to adjust). */
export function examplePayload(event: string, action?: string): Record<string, any> {
  const payload = examplePayloads(event).find((p) => action === undefined || p.action === action);
  if (!payload) throw new Error(`no example for ${event}.${action}`);
  return payload;
}
