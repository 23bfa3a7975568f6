/**
 * Metric names selected by PromQL expressions, read with Prometheus's own PromQL grammar
 * (lezer-promql, the parser of Prometheus's web UI), for the dashboard and alert-rule tests.
 */
import { parser } from "@prometheus-io/lezer-promql";

/** Grafana's own variables are not PromQL: they stand for a range. */
export function withoutGrafanaVariables(expr: string): string {
  return expr.replace(/\$__(rate_interval|interval|range)\b/g, "5m");
}

/** The metric names an expression selects (parse errors fail the test). */
export function selectedMetrics(expr: string): string[] {
  const text = withoutGrafanaVariables(expr);
  const tree = parser.parse(text);
  const names: string[] = [];
  const errors: number[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) errors.push(node.from);
      if (node.name === "VectorSelector") {
        const identifier = node.node.getChild("Identifier");
        if (identifier) names.push(text.slice(identifier.from, identifier.to));
      }
    },
  });
  if (errors.length) throw new Error(`PromQL does not parse at ${errors.join(", ")}: ${expr}`);
  return names;
}

/** Every query of a Grafana dashboard, with its panel's title. */
/** The part of deploy/grafana-dashboard.json that holds the queries. */
export interface DashboardPanels {
  panels: { title: string; targets?: { expr: string }[] }[];
}

export function dashboardExpressions(dashboard: DashboardPanels): { panel: string; expr: string }[] {
  return dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })),
  );
}
