/**
 * The deployment files say what the README says: the image runs on a supported LTS Node,
 * `.env.example` used with `docker run --env-file` does not undo the image's HOST=0.0.0.0 and
 * NODE_ENV=production, and the compose file runs two replicas that share one Redis.
 */
import { readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { describe, expect, it } from "@jest/globals";
import { parse } from "yaml";

const root = new URL("../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");

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
      expect(app.environment?.REDIS_URL).toBe("redis://redis:6379");
      expect(app.env_file).toBe(".env");
    }
    expect(compose.services.redis?.image).toMatch(/^redis:/);
  });
});
