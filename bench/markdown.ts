/**
 * `node dist-bench/bench/markdown.js [results.json]`: the figures of a benchmark run as Markdown
 * tables for docs/performance.md. Figures named `<row>: <column>` (the end-to-end levels) become
 * one table with a row per level; the others are listed with their goal.
 */
import { readFileSync } from "node:fs";
import { format, type Figure } from "./report.js";

interface Results {
  date: string;
  machine: string;
  seconds?: number;
  groupSeconds?: Record<string, number>;
  loadAverage?: { atStart: number; atEnd: number };
  figures: Figure[];
}

const cell = (figure: Figure) => {
  const value = Number.isNaN(figure.value) ? "n/a" : format(figure.value, figure.unit);
  return figure.met === undefined ? value : `${value} ${figure.met ? "✓" : "✗"}`;
};

function list(figures: Figure[]): string[] {
  const lines = ["| Figure | Value | Goal |", "|---|---|---|"];
  for (const figure of figures) lines.push(`| ${figure.name} | ${cell(figure)} | ${figure.goal ?? ""} |`);
  return lines;
}

/** Figures `<level>: <metric>`: one table, a column per level and a row per metric. */
function pivot(figures: Figure[]): string[] {
  const levels: string[] = [];
  const metrics = new Map<string, Map<string, Figure>>();
  for (const figure of figures) {
    const [level, metric] = figure.name.split(/: (.*)/s) as [string, string];
    if (!levels.includes(level)) levels.push(level);
    if (!metrics.has(metric)) metrics.set(metric, new Map());
    metrics.get(metric)!.set(level, figure);
  }
  const lines = [`| | ${levels.join(" | ")} | Goal |`, `|---|${levels.map(() => "---").join("|")}|---|`];
  for (const [metric, cells] of metrics) {
    const goal = [...cells.values()].find((f) => f.goal)?.goal ?? "";
    lines.push(
      `| ${metric} | ${levels.map((level) => (cells.has(level) ? cell(cells.get(level)!) : "")).join(" | ")} | ${goal} |`,
    );
  }
  return lines;
}

function render(results: Results): string {
  const took = results.groupSeconds
    ? ` (${Object.entries(results.groupSeconds)
        .map(([group, seconds]) => `${group} ${seconds} s`)
        .join(", ")})`
    : "";
  const out = [
    `Run of ${results.date} on ${results.machine}${results.seconds ? `, ${results.seconds} s${took}` : ""}${results.loadAverage ? `, load average ${results.loadAverage.atStart} at the start and ${results.loadAverage.atEnd} at the end` : ""}.`,
  ];
  const groups = [...new Set(results.figures.map((f) => f.group))];
  for (const group of groups) {
    const figures = results.figures.filter((f) => f.group === group);
    out.push("", `**${group}**`, "");
    const levels = figures.filter((f) => / in flight: |^burst of /.test(f.name));
    const rest = figures.filter((f) => !levels.includes(f));
    if (levels.length) {
      // Level rows: the in-flight levels, then the burst, each with its own columns.
      const inFlight = levels.filter((f) => / in flight: /.test(f.name));
      const burst = levels.filter((f) => /^burst of /.test(f.name));
      if (inFlight.length) out.push(...pivot(inFlight), "");
      if (burst.length) out.push(...pivot(burst), "");
    }
    if (rest.length) out.push(...list(rest));
  }
  return `${out.join("\n").replace(/\n{3,}/g, "\n\n")}\n`;
}

const path = process.argv[2] ?? new URL("../../bench/results/latest.json", import.meta.url).pathname;
process.stdout.write(render(JSON.parse(readFileSync(path, "utf8")) as Results));
