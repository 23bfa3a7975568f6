/**
 * `guardrails playground [--port N] [--host ADDRESS]`: the playground page, `POST /api/validate`
 * and `POST /api/simulate` served alone, with no GitHub App: the app's own HTTP server
 * (src/http/http-server.ts, without its webhook endpoint) and routes (src/web/routes.ts), so the
 * bounds and answers are the app's. It reads no credentials and talks to no one; it runs until
 * Ctrl-C (SIGINT) or SIGTERM.
 */
import { existsSync } from "node:fs";
import { parseCommandArgs, stringOption } from "../args.js";
import { CliError, EXIT, UsageError } from "../errors.js";
import { PLAYGROUND_HELP } from "../help.js";
import type { Io } from "../io.js";

/** The app's own default (PORT), so the URLs of docs/api.md work as written. */
export const DEFAULT_PLAYGROUND_PORT = 3000;
const DEFAULT_HOST = "127.0.0.1";

export async function playgroundCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs("playground", args, { port: { type: "string" }, host: { type: "string" } }, 0);
  if (values.help) {
    io.stdout(PLAYGROUND_HELP);
    return EXIT.ok;
  }
  const port = portOption(stringOption(values, "port"));
  const host = stringOption(values, "host") ?? DEFAULT_HOST;

  // Loaded here, not at the top: the other commands start without Fastify and pino.
  const [{ createHttpServer, boundPort }, { playgroundRoutes, DEFAULT_ASSETS_DIR }, { pino }] = await Promise.all([
    import("../../http/http-server.js"),
    import("../../web/routes.js"),
    import("pino"),
  ]);
  if (!existsSync(`${DEFAULT_ASSETS_DIR}/index.html`))
    throw new CliError(`the playground page is not built (no ${DEFAULT_ASSETS_DIR}index.html): run npm run build`);
  // Warnings and errors only, as JSON lines on stderr: stdout says where the page is.
  const log = pino({ level: io.env.LOG_LEVEL ?? "warn" }, pino.destination(2));
  const server = createHttpServer({ log, inFlight: () => 0, plugins: [playgroundRoutes()] });
  // Listened for before the URL is printed: a Ctrl-C right after it still closes the server.
  const stopped = new Promise<string>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
  try {
    await server.listen({ port, host });
  } catch (error) {
    await server.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new CliError(`port ${port} is in use on ${host}: choose another with --port`);
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND")
      throw new CliError(`cannot listen on ${host}: not an address of this machine`);
    throw error;
  }
  const origin = `http://${host.includes(":") ? `[${host}]` : host}:${boundPort(server)}`;
  io.stdout(
    [
      `Guardrails playground: ${origin}/playground`,
      `API: POST ${origin}/api/validate, POST ${origin}/api/simulate (docs/api.md)`,
      ...(isLoopback(host) ? [] : [`Listening on ${host}: reachable from other machines, with no login.`]),
      "No GitHub App, no credentials, nothing stored. Ctrl-C stops it.",
      "",
    ].join("\n"),
  );
  const signal = await stopped;
  await server.close();
  io.stderr(`guardrails playground: stopped (${signal})\n`);
  return EXIT.ok;
}

function portOption(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PLAYGROUND_PORT;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 0 && port <= 65535))
    throw new UsageError(
      `--port must be a port number from 0 to 65535 (0: any free port), not "${text}"`,
      "playground",
    );
  return port;
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}
