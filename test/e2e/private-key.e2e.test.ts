/**
 * A private key GitHub would refuse stops the built server at start, with a message that says what
 * is wrong; it used to start and fail on the first GitHub call (every evaluation then failed). The
 * forms Probot documents as valid still start. The messages never quote the key.
 */
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it, jest } from "@jest/globals";
import { freePort, generatedPrivateKey, ServerProcess } from "../support/server-process.js";

jest.setTimeout(120_000);

const APP_ID = 4343;
/** Nothing is asked of GitHub before the first webhook (the redelivery scan is off). */
const NO_GITHUB = "127.0.0.1:9";

const pem = () => generatedPrivateKey();
const pkcs8 = () =>
  generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const oneLine = (key: string) => key.trim().split("\n").join("\\n");

interface KeyCase {
  what: string;
  /** PRIVATE_KEY's value; without it the key is written to the file PRIVATE_KEY_PATH names. */
  env?: () => string;
  file?: () => string;
}

/** Starts the built server with the key and waits for it to exit; its exit code and everything it printed. */
async function startWith(key: KeyCase): Promise<{ code: number | null; output: string }> {
  const server = ServerProcess.spawn(
    {
      appId: APP_ID,
      githubHost: NO_GITHUB,
      ...(key.file ? { privateKey: key.file() } : {}),
      env: key.env ? { PRIVATE_KEY: key.env(), PRIVATE_KEY_PATH: undefined } : {},
    },
    await freePort(),
  );
  const exit = await Promise.race([
    server.exited,
    server.waitUntilHealthy(15_000).then(() => ({ code: null, signal: null, healthy: true as const })),
  ]);
  if ("healthy" in exit) await server.stop();
  else await server.stop().catch(() => undefined);
  return { code: "healthy" in exit ? null : exit.code, output: server.output() };
}

describe("the private key, checked at start", () => {
  const refused: (KeyCase & { message: RegExp })[] = [
    {
      what: "PRIVATE_KEY wrapped in double quotes (docker --env-file keeps them)",
      env: () => `"${pem().trim()}"`,
      message: /PRIVATE_KEY is not a usable private key: it is wrapped in quotes/,
    },
    {
      what: "PRIVATE_KEY in single quotes, its line breaks written as \\n",
      env: () => `'${oneLine(pem())}'`,
      message: /PRIVATE_KEY is not a usable private key: it is wrapped in quotes/,
    },
    {
      what: "a key file whose line breaks are the two characters \\n",
      file: () => `${oneLine(pem())}\n`,
      message:
        /PRIVATE_KEY_PATH \(.*\) is not a usable private key: its line breaks are written as the two characters \\n/,
    },
    {
      what: "a key file that is not PEM at all",
      file: () => "this is not a key\n",
      message: /PRIVATE_KEY_PATH \(.*\) is not a usable private key: it is not PEM/,
    },
    {
      what: "PRIVATE_KEY that is not PEM at all",
      env: () => "garbage",
      message: /PRIVATE_KEY is not a usable private key: it is not PEM/,
    },
    {
      what: "PEM markers around garbage",
      env: () => "-----BEGIN RSA PRIVATE KEY-----\nbm90IGEga2V5\n-----END RSA PRIVATE KEY-----\n",
      message: /PRIVATE_KEY is not a usable private key: it does not parse as a private key/,
    },
    {
      what: "a key cut short",
      file: () => {
        const lines = pem().trim().split("\n");
        return [...lines.slice(0, 10), lines.at(-1)].join("\n");
      },
      message: /PRIVATE_KEY_PATH \(.*\) is not a usable private key: it does not parse as a private key/,
    },
    {
      what: "the public key instead of the private one",
      env: () =>
        generateKeyPairSync("rsa", { modulusLength: 2048 })
          .publicKey.export({ type: "spki", format: "pem" })
          .toString(),
      message: /PRIVATE_KEY is not a usable private key: it is a public key/,
    },
    {
      what: "an EC key (a GitHub App's key is RSA)",
      file: () =>
        generateKeyPairSync("ec", { namedCurve: "P-256" })
          .privateKey.export({ type: "pkcs8", format: "pem" })
          .toString(),
      message: /PRIVATE_KEY_PATH \(.*\) is not a usable private key: it is an ec key; a GitHub App's key is RSA/,
    },
  ];

  it.each(refused)("refuses $what, exiting 1 with a message that says so", async (key) => {
    const { code, output } = await startWith(key);
    expect(output).toMatch(key.message);
    expect(output).toMatch(/^guardrails: /m);
    expect(code).toBe(1);
    expect(output).not.toContain("Guardrails is listening");
    // The message never carries the key itself.
    for (const line of pem()
      .split("\n")
      .filter((l) => l.length > 40))
      expect(output).not.toContain(line);
  });

  const accepted: KeyCase[] = [
    { what: "a PKCS#1 PEM file (PRIVATE_KEY_PATH, as GitHub gives it)", file: pem },
    { what: "a PKCS#8 PEM file", file: pkcs8 },
    { what: "PRIVATE_KEY with real line breaks", env: pem },
    { what: "PRIVATE_KEY with its line breaks written as \\n (Probot's convention)", env: () => oneLine(pem()) },
  ];

  it.each(accepted)("starts with $what", async (key) => {
    const { code, output } = await startWith(key);
    expect(output).toContain("Guardrails is listening");
    expect(code).toBeNull();
  });
});
