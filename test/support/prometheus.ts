/**
 * Metric readings for tests. The exposition itself is read with a real parser
 * (parse-prometheus-text-format, a port of the Python client's parser); values, including
 * labelled histograms (whose labels that parser drops), are read from prom-client's registry.
 */
import parse from "parse-prometheus-text-format";
import { registry } from "../../src/metrics/metrics.js";

export interface ParsedFamily {
  name: string;
  help: string;
  type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED";
  metrics: {
    value?: string;
    labels?: Record<string, string>;
    buckets?: Record<string, string>;
    count?: string;
    sum?: string;
  }[];
}

export function parseExposition(text: string): ParsedFamily[] {
  return (parse as unknown as (text: string) => ParsedFamily[])(text);
}

export type Reading = Map<string, { labels: Record<string, string | number>; value: number }[]>;

/** Every series of the registry now: counters and gauges by name, histograms as `<name>_count`. */
export async function readMetrics(): Promise<Reading> {
  const reading: Reading = new Map();
  for (const metric of await registry.getMetricsAsJSON()) {
    for (const value of metric.values) {
      const name = (value as { metricName?: string }).metricName ?? metric.name;
      const list = reading.get(name) ?? [];
      list.push({ labels: value.labels as Record<string, string | number>, value: value.value });
      reading.set(name, list);
    }
  }
  return reading;
}

/** The sum of the series of `name` whose labels include `labels` (0 when none). */
export function sampleValue(reading: Reading, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const series of reading.get(name) ?? []) {
    if (Object.entries(labels).every(([k, v]) => String(series.labels[k]) === v)) total += series.value;
  }
  return total;
}
