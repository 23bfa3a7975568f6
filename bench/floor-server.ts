/**
 * The floor of the end-to-end benchmark: a bare Probot app, started with Probot's own `run()`
 * from the same environment as the Guardrails server, that only creates one completed check run
 * per pull request event. Whatever Guardrails costs beyond this is its own.
 *
 * One setting differs from a stock Probot 14 app, so that both processes are throttled alike:
 * the throttling plugin's id is the installation. Probot gives the clients it hands to event
 * handlers no id, so a stock app puts the writes of every installation in one queue, one write a
 * second for the whole process (measured here: 35 events in 34 s over 200 installations);
 * Guardrails sets the installation as the id (src/github/github-client.ts), and so does the floor.
 */
import { ProbotOctokit, run, type Probot } from "probot";

/** The options Probot merges into the Octokit it creates (only those read here are named). */
interface OctokitOptions {
  auth?: { installationId?: number | string };
  throttle?: { enabled?: boolean };
  [option: string]: unknown;
}

const PerInstallationThrottle: typeof ProbotOctokit = ProbotOctokit.defaults((options: OctokitOptions) => {
  const installationId = options.auth?.installationId;
  if (installationId === undefined || options.throttle?.enabled === false) return options;
  return { ...options, throttle: { ...options.throttle, id: `installation-${installationId}` } };
});

const floorApp = (app: Probot) => {
  app.on(["pull_request", "pull_request_review"], async (context) => {
    await context.octokit.request("POST /repos/{owner}/{repo}/check-runs", {
      ...context.repo(),
      name: "floor",
      head_sha: context.payload.pull_request.head.sha,
      status: "completed",
      conclusion: "success",
      output: { title: "Floor", summary: "One check run per event." },
    });
  });
};

// Exit normally on SIGTERM (the benchmark's stop), so that a `--cpu-prof` run writes its profile.
process.once("SIGTERM", () => process.exit(0));

run(floorApp, { Octokit: PerInstallationThrottle }).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
