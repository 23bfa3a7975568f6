/**
 * The app's configuration, from environment variables (Probot's conventions plus a few of ours).
 * Every variable is documented in .env.example and the README.
 */
import { createPrivateKey, hkdfSync } from "node:crypto";
import { isIP } from "node:net";
import { getPrivateKey } from "@probot/get-private-key";

/** The webhook secret outside production when none is set: fine for the setup page, known to everyone. */
export const DEFAULT_WEBHOOK_SECRET = "development";
/** The HKDF label of the checklist-signing key (a new label would void every signed checklist). */
const CHECKLIST_KEY_LABEL = "guardrails checklist state v1";

export interface AppConfig {
  production: boolean;
  appId: number;
  privateKey: string | undefined;
  webhookSecret: string;
  /**
   * Signs the checklist state in the sticky comment: CHECKLIST_SECRET, or a key derived from the
   * webhook secret (HKDF-SHA256, its own label), never the webhook secret itself.
   */
  checklistSecret: string;
  webhookPath: string;
  host: string;
  port: number;
  /** Optional: lets the app ignore label events it caused itself. */
  appSlug: string | undefined;
  /** Per-attempt timeout of a GitHub request. */
  requestTimeoutMs: number;
  /** After this, a webhook delivery is answered 202 while its evaluation goes on. */
  processingTimeoutMs: number;
  /** How long a request body may take to arrive (408 after it). */
  bodyTimeoutMs: number;
  /** Bytes of request bodies held at once before their signature is checked (503 beyond). */
  bodyBudgetBytes: number;
  /** METRICS_TOKEN: when set, GET /metrics needs `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  /** METRICS_INSTALLATION_LABEL=true: the rate-limit gauge gets an installation label. */
  metricsInstallationLabel: boolean;
  /** PLAYGROUND=false turns off GET /playground, POST /api/validate and POST /api/simulate. */
  playground: boolean;
  /** PLAYGROUND_URL: the app's public URL; the check summary then links to the playground. */
  playgroundUrl: string | undefined;
  /** How long a shutdown waits for evaluations in flight. */
  shutdownGraceMs: number;
  /** The policy-push fan-out's write budget per installation (src/operations/fan-out.ts). */
  fanOut: { writesPerMinute: number; writesPerHour: number };
  /**
   * FANOUT_TIME_SCALE (benchmarks and tests only, 1 otherwise): the fan-out's minute and hour and
   * the second between an installation's writes pass this many times faster.
   */
  timeScale: number;
  /**
   * TRUST_PROXY: the reverse proxies (addresses, CIDR ranges) whose X-Forwarded-For is believed, so
   * that a per-client limit counts the client, not the proxy. Empty: none (the peer is the client).
   */
  trustProxy: string[];
  /** Pino level; `info` by default, so that every decision is logged. */
  logLevel: LogLevel;
  /** `json` (pino lines) in production by default, `pretty` otherwise. */
  logFormat: "json" | "pretty";
}

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class ConfigError extends Error {}

export function readConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const production = env.NODE_ENV === "production";
  if (production && !env.WEBHOOK_SECRET) {
    throw new ConfigError(
      "WEBHOOK_SECRET is required when NODE_ENV=production: without it anyone could send forged webhooks",
    );
  }
  const privateKey = readPrivateKey(env);
  const number = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new ConfigError(`${name} must be a number, got "${raw}"`);
    return value;
  };
  const positive = (name: string, fallback: number) => {
    const value = number(name, fallback);
    if (value === 0) throw new ConfigError(`${name} must be more than 0`);
    return value;
  };
  const atLeast = (name: string, fallback: number, least: number, why: string) => {
    const value = number(name, fallback);
    if (value < least) throw new ConfigError(`${name} must be at least ${least}: ${why}`);
    return value;
  };
  const appId = number("APP_ID", 0);
  const webhookSecret = env.WEBHOOK_SECRET || DEFAULT_WEBHOOK_SECRET;
  // With credentials the app acts on GitHub, and a known secret would let anyone sign its webhooks
  // (tick a checklist as any writer, for one). Only the setup page, without credentials, may use it.
  if (appId && privateKey && webhookSecret === DEFAULT_WEBHOOK_SECRET) {
    throw new ConfigError(
      `WEBHOOK_SECRET is ${env.WEBHOOK_SECRET ? `"${DEFAULT_WEBHOOK_SECRET}"` : `not set (it would default to "${DEFAULT_WEBHOOK_SECRET}")`}, a secret everyone knows, while APP_ID and a private key are set: set WEBHOOK_SECRET to the GitHub App's webhook secret`,
    );
  }
  if (env.CHECKLIST_SECRET && env.CHECKLIST_SECRET === webhookSecret) {
    throw new ConfigError(
      "CHECKLIST_SECRET must differ from WEBHOOK_SECRET (leave it empty to derive one from WEBHOOK_SECRET)",
    );
  }
  const logLevel = LOG_LEVELS.find((level) => level === (env.LOG_LEVEL || "info"));
  if (!logLevel) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${env.LOG_LEVEL}"`);
  const logFormat = env.LOG_FORMAT || (production ? "json" : "pretty");
  if (logFormat !== "json" && logFormat !== "pretty")
    throw new ConfigError(`LOG_FORMAT must be json or pretty, got "${env.LOG_FORMAT}"`);
  const playground =
    env.PLAYGROUND === undefined || env.PLAYGROUND === "" || env.PLAYGROUND === "true"
      ? true
      : env.PLAYGROUND === "false"
        ? false
        : undefined;
  if (playground === undefined) throw new ConfigError(`PLAYGROUND must be true or false, got "${env.PLAYGROUND}"`);
  const playgroundUrl = env.PLAYGROUND_URL || undefined;
  if (playgroundUrl !== undefined && !/^https?:\/\/[^\s#]+$/.test(playgroundUrl)) {
    throw new ConfigError(
      `PLAYGROUND_URL must be the app's public http(s) URL without a fragment, got "${playgroundUrl}"`,
    );
  }
  return {
    production,
    appId,
    privateKey,
    webhookSecret,
    checklistSecret: env.CHECKLIST_SECRET || deriveChecklistSecret(webhookSecret),
    webhookPath: env.WEBHOOK_PATH || "/api/github/webhooks",
    host: env.HOST || "localhost",
    port: number("PORT", 3000),
    appSlug: env.APP_SLUG || undefined,
    requestTimeoutMs: number("GITHUB_REQUEST_TIMEOUT_MS", 10000),
    processingTimeoutMs: number("WEBHOOK_RESPONSE_TIMEOUT_MS", 9000),
    shutdownGraceMs: number("SHUTDOWN_GRACE_MS", 25000),
    bodyTimeoutMs: positive("WEBHOOK_BODY_TIMEOUT_MS", 10000),
    bodyBudgetBytes:
      atLeast("WEBHOOK_BODY_BUDGET_MB", 64, 25, "one delivery of GitHub's largest size (25 MB) must fit") * 1024 * 1024,
    metricsToken: env.METRICS_TOKEN || undefined,
    metricsInstallationLabel: env.METRICS_INSTALLATION_LABEL === "true",
    playground,
    playgroundUrl,
    fanOut: {
      writesPerMinute: atLeast("FANOUT_WRITES_PER_MINUTE", 60, 3, "an evaluation reserves 3 writes"),
      writesPerHour: atLeast("FANOUT_WRITES_PER_HOUR", 400, 3, "an evaluation reserves 3 writes"),
    },
    timeScale: positive("FANOUT_TIME_SCALE", 1),
    trustProxy: readTrustedProxies(env.TRUST_PROXY),
    logLevel,
    logFormat,
  };
}

/**
 * The app's private key, found as Probot finds it (PRIVATE_KEY, else the file PRIVATE_KEY_PATH
 * names, else the one .pem file of the working directory), and parsed now: a key GitHub would
 * refuse used to start the server and fail every evaluation at its first GitHub call.
 */
function readPrivateKey(env: NodeJS.ProcessEnv): string | undefined {
  const source = env.PRIVATE_KEY
    ? "PRIVATE_KEY"
    : env.PRIVATE_KEY_PATH
      ? `PRIVATE_KEY_PATH (${env.PRIVATE_KEY_PATH})`
      : "the .pem file in the working directory";
  let text: string | undefined;
  try {
    text = getPrivateKey({ env })?.toString() || undefined;
  } catch (error) {
    // Probot's reader refuses a PRIVATE_KEY without PEM markers in words that do not say why.
    const problem = env.PRIVATE_KEY ? privateKeyProblem(env.PRIVATE_KEY.replace(/\\n/g, "\n")) : undefined;
    throw new ConfigError(
      problem
        ? `${source} is not a usable private key: ${problem}`
        : `the private key could not be read: ${(error as Error).message}`,
    );
  }
  if (text === undefined) return undefined;
  const problem = privateKeyProblem(text);
  if (problem) throw new ConfigError(`${source} is not a usable private key: ${problem}`);
  return text;
}

const USE_THE_PEM_FILE = "use the .pem file the GitHub App's settings page gave you, unchanged";

/** What is wrong with a private key's text, in words (never quoting it), or undefined when it is an RSA private key. */
export function privateKeyProblem(text: string): string | undefined {
  const key = text.trim();
  if (/^["']|["']$/.test(key))
    return `it is wrapped in quotes: remove them (docker --env-file, Kubernetes and systemd keep quotes as part of the value)`;
  if (key.includes("\\n"))
    return `its line breaks are written as the two characters \\n: only PRIVATE_KEY may use \\n; a key file needs real line breaks: ${USE_THE_PEM_FILE}`;
  const begin = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(key)?.[1];
  if (begin === undefined)
    return `it is not PEM (a GitHub App's key starts with -----BEGIN RSA PRIVATE KEY-----): ${USE_THE_PEM_FILE}`;
  if (/PUBLIC KEY|CERTIFICATE/.test(begin))
    return `it is a ${begin.includes("CERTIFICATE") ? "certificate" : "public key"}, not the private key: ${USE_THE_PEM_FILE}`;
  if (begin.includes("ENCRYPTED") || key.includes("Proc-Type: 4,ENCRYPTED"))
    return "it is encrypted with a passphrase: GitHub's keys are not; decrypt it (openssl pkey -in key.pem -out plain.pem)";
  if (begin === "OPENSSH PRIVATE KEY") return `it is an OpenSSH key, not a GitHub App's key: ${USE_THE_PEM_FILE}`;
  let type: string | undefined;
  try {
    type = createPrivateKey(key).asymmetricKeyType;
  } catch (error) {
    const reason = (error as Error).message.replace(/^error:[0-9A-F]+:/, "");
    return `it does not parse as a private key (${reason}): it may be cut short or altered: ${USE_THE_PEM_FILE}`;
  }
  if (type !== "rsa") return `it is an ${type ?? "unknown"} key; a GitHub App's key is RSA: ${USE_THE_PEM_FILE}`;
  return undefined;
}

/** proxy-addr's names for the loopback, link-local and unique-local (private) ranges. */
const NAMED_RANGES = new Set(["loopback", "linklocal", "uniquelocal"]);

/**
 * TRUST_PROXY as a list of addresses and CIDR ranges. `true` and hop counts are refused: they would
 * believe the X-Forwarded-For of anyone who can reach the server without going through the proxy.
 */
export function readTrustedProxies(value: string | undefined): string[] {
  const entries = (value ?? "").split(/[\s,]+/).filter((entry) => entry !== "");
  for (const entry of entries) {
    const [address = "", prefix, ...rest] = entry.split("/");
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const validPrefix = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (NAMED_RANGES.has(entry) || (family !== 0 && validPrefix && rest.length === 0)) continue;
    throw new ConfigError(
      `TRUST_PROXY must list the reverse proxies' IP addresses or CIDR ranges (e.g. "10.0.0.0/8, 127.0.0.1"; loopback, linklocal and uniquelocal name those ranges), got "${entry}"${/^(true|\*|\d+)$/.test(entry) ? ": trusting every peer or a number of hops would believe an X-Forwarded-For written by anyone who reaches the server directly" : ""}`,
    );
  }
  return entries;
}

/** The checklist-signing key derived from the webhook secret: HKDF-SHA256 with a label of its own. */
export function deriveChecklistSecret(webhookSecret: string): string {
  return Buffer.from(hkdfSync("sha256", webhookSecret, "", CHECKLIST_KEY_LABEL, 32)).toString("base64url");
}

/** A fetch that gives up on one attempt after `ms` (Octokit's retry plugin may try again). */
export function fetchWithTimeout(ms: number): typeof fetch {
  return (input, init) => {
    const timeout = AbortSignal.timeout(ms);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return fetch(input, { ...init, signal });
  };
}
