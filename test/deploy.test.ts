/**
 * The deployment files say what the README says: the image runs on a supported LTS Node,
 * `.env.example` used with `docker run --env-file` does not undo the image's HOST=0.0.0.0 and
 * NODE_ENV=production, and the compose file runs two replicas that share one Redis.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { describe, expect, it } from "@jest/globals";
import { parse } from "yaml";

const root = new URL("../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");

type Version = [number, number, number];
const compare = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/**
 * The lowest Node 20 release an `engines.node` range admits, or undefined when it admits none.
 * Reads the forms the installed packages use: `>=A.B.C`, `>= A`, `^A.B.C`, `A`, `A.x`, `*`, joined by `||`.
 */
function lowestNode20(range: string): Version | undefined {
  const floors = range.split("||").flatMap((part): Version[] => {
    const text = part.trim();
    if (text === "*" || text === "") return [[20, 0, 0]];
    const match = /^(>=|\^)?\s*(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?$/.exec(text);
    if (!match) throw new Error(`unread engines range "${range}"`);
    const version: Version = [Number(match[2]), Number(match[3]) || 0, Number(match[4]) || 0];
    if (match[1] === ">=") return compare(version, [20, 0, 0]) <= 0 ? [[20, 0, 0]] : version[0] === 20 ? [version] : [];
    return version[0] === 20 ? [version] : [];
  });
  return floors.sort(compare)[0];
}

describe("the Node.js version", () => {
  const engines = (JSON.parse(read("package.json")) as { engines: { node: string } }).engines.node;

  it("package.json's engines and the README name the same lowest Node 20, and this Node is at least that", () => {
    const lowest = /^>=(\d+\.\d+\.\d+)$/.exec(engines)?.[1];
    expect(lowest).toBeDefined();
    expect(read("README.md")).toContain(`Node.js ${lowest} or later`);
    const running = process.versions.node.split(".").map(Number) as Version;
    expect(compare(running, lowest!.split(".").map(Number) as Version)).toBeGreaterThanOrEqual(0);
  });

  it("is the highest Node 20 floor of the installed production dependencies (content-type, which says 22, excepted)", () => {
    const dirs = execFileSync("npm", ["ls", "--omit=dev", "--all", "--parseable"], {
      cwd: new URL(".", root),
      encoding: "utf8",
    })
      .trim()
      .split("\n")
      .slice(1);
    const floors: { name: string; floor: Version | undefined }[] = dirs.flatMap((dir) => {
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
        name: string;
        engines?: { node?: string };
      };
      const range = manifest.engines?.node;
      return range ? [{ name: manifest.name, floor: lowestNode20(range) }] : [];
    });
    expect(floors.length).toBeGreaterThan(20);
    // The README says content-type runs on 20 (every test passes there) though it declares 22.
    expect(floors.filter((f) => f.floor === undefined).map((f) => f.name)).toEqual(["content-type"]);
    const highest = floors
      .flatMap((f) => (f.floor ? [f.floor] : []))
      .sort(compare)
      .at(-1)!;
    expect(`>=${highest.join(".")}`).toBe(engines);
  });
});

describe("deployment files", () => {
  it("the image builds and runs on Node 22 LTS (Node 20 is past its end of life)", () => {
    const froms = [...read("Dockerfile").matchAll(/^FROM node:(\d+)-/gm)].map((m) => Number(m[1]));
    expect(froms).toEqual([22, 22]);
    expect(read("Dockerfile")).toMatch(/ENV NODE_ENV=production[\s\S]*HOST=0\.0\.0\.0/);
  });

  it(".env.example sets neither HOST, PORT nor NODE_ENV, so the image's values stand", () => {
    const env = parseEnv(read(".env.example"));
    expect(env).not.toHaveProperty("HOST");
    expect(env).not.toHaveProperty("PORT");
    expect(env).not.toHaveProperty("NODE_ENV");
    expect(env).toHaveProperty("WEBHOOK_SECRET");
  });

  it("docker-compose.yml runs two replicas sharing one Redis", () => {
    const compose = parse(read("docker-compose.yml"), { merge: true }) as {
      services: Record<
        string,
        { build?: string; environment?: Record<string, string>; image?: string; env_file?: string }
      >;
    };
    const apps = Object.entries(compose.services).filter(([, s]) => s.build === ".");
    expect(apps.map(([name]) => name)).toEqual(["guardrails-1", "guardrails-2"]);
    for (const [, app] of apps) {
      expect(new URL(interpolate(app.environment?.REDIS_URL ?? "", { REDIS_PASSWORD: "x" })).host).toBe("redis:6379");
      expect(app.env_file).toBe(".env");
    }
    expect(compose.services.redis?.image).toMatch(/^redis:/);
  });

  it("docker-compose.yml's Redis needs a password, the one the replicas' REDIS_URL gives, from .env", () => {
    const compose = parse(read("docker-compose.yml"), { merge: true }) as {
      services: Record<
        string,
        {
          build?: string;
          environment?: Record<string, string>;
          command?: string[];
          healthcheck?: { test?: string[] };
          ports?: unknown[];
        }
      >;
    };
    const password = "s3cret-from-env";
    const env = { REDIS_PASSWORD: password };
    const redis = compose.services.redis!;
    const command = (redis.command ?? []).map((part) => interpolate(part, env));
    expect(command[command.indexOf("--requirepass") + 1]).toBe(password);
    // The health check authenticates (else it would see NOAUTH and the replicas would never start).
    expect(interpolate(redis.environment?.REDISCLI_AUTH ?? "", env)).toBe(password);
    expect(redis.healthcheck?.test?.join(" ")).toMatch(/redis-cli ping.*PONG/);
    expect(redis.ports).toBeUndefined();
    for (const [, app] of Object.entries(compose.services).filter(([, s]) => s.build === ".")) {
      const url = new URL(interpolate(app.environment?.REDIS_URL ?? "", env));
      expect(decodeURIComponent(url.password)).toBe(password);
    }
    // Without REDIS_PASSWORD, compose refuses to start rather than run Redis open.
    expect(() => (redis.command ?? []).map((part) => interpolate(part, {}))).toThrow(/REDIS_PASSWORD/);
    expect(parseEnv(read(".env.example"))).toHaveProperty("REDIS_PASSWORD");
  });
});

/** Compose's interpolation, as far as these files use it: `${NAME}`, `${NAME:?message}`, `$$`. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\{(\w+)(?::\?([^}]*))?\}/g, (whole, name?: string, message?: string) => {
    if (whole === "$$") return "$";
    const value = env[name!];
    if (value !== undefined && value !== "") return value;
    if (message !== undefined) throw new Error(`${name}: ${message}`);
    return "";
  });
}
