/**
 * `npm run bench [group…]`: runs the benchmarks (all groups by default), prints every figure with
 * its goal, and saves them: a full run to bench/results/latest.json (the record docs/performance.md
 * renders), a run of some groups to bench/results/partial.json, so that it never replaces the
 * record with a part of it.
 */
import { runEndToEndBenchmark } from "./e2e.js";
import { runAdversarialBenchmark } from "./adversarial.js";
import { runEngineBenchmark } from "./engine.js";
import { runGitHubBenchmark } from "./github.js";
import { runScaleOutBenchmark } from "./scale-out.js";
import { runFanOutBenchmark } from "./fanout.js";
import { runCiBurstBenchmark } from "./ci-burst.js";
import { load, machine, printFigures, saveFigures, type Figure } from "./report.js";

const groups: Record<string, () => Promise<Figure[]> | Figure[]> = {
  engine: runEngineBenchmark,
  adversarial: runAdversarialBenchmark,
  github: runGitHubBenchmark,
  e2e: runEndToEndBenchmark,
  "scale-out": runScaleOutBenchmark,
  fanout: runFanOutBenchmark,
  "ci-burst": runCiBurstBenchmark,
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !(name in groups));
  if (unknown.length)
    throw new Error(`unknown benchmark group(s): ${unknown.join(", ")}; known: ${Object.keys(groups).join(", ")}`);
  const loadAtStart = load();
  const started = Date.now();
  console.log(`Guardrails benchmarks on ${machine()}; load average ${loadAtStart}`);
  const figures: Figure[] = [];
  const groupSeconds: Record<string, number> = {};
  for (const [name, run] of Object.entries(groups)) {
    if (wanted.length && !wanted.includes(name)) continue;
    const groupStarted = Date.now();
    // A group that fails is reported as a missed goal; the other groups still run.
    const result = await Promise.resolve()
      .then(run)
      .catch((error: unknown): Figure[] => {
        console.error(`\n${name}: failed:`, error);
        return [
          {
            group: name,
            name: `failed: ${(error as Error).message ?? String(error)}`.slice(0, 120),
            value: 0,
            unit: "",
            goal: "runs",
            met: false,
          },
        ];
      });
    groupSeconds[name] = Math.round((Date.now() - groupStarted) / 1000);
    printFigures(result);
    console.log(`(${name}: ${groupSeconds[name]} s)`);
    figures.push(...result);
  }
  const file = wanted.length ? "partial.json" : "latest.json";
  saveFigures(new URL(`../../bench/results/${file}`, import.meta.url).pathname, figures, {
    groupSeconds,
    seconds: Math.round((Date.now() - started) / 1000),
    loadAverage: { atStart: loadAtStart, atEnd: load() },
  });
  const missed = figures.filter((f) => f.met === false);
  console.log(
    `\n${figures.filter((f) => f.met).length} goals met, ${missed.length} missed${missed.length ? `: ${missed.map((f) => f.name).join("; ")}` : ""}`,
  );
  console.log(
    `${Math.round((Date.now() - started) / 1000)} s; load average at the end ${load()}; saved to bench/results/${file}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
