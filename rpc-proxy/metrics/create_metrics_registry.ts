export type Labels = Readonly<Record<string, string>>;

export type Counter = { inc(labels?: Labels, value?: number): void };
export type Gauge = { inc(labels?: Labels): void; dec(labels?: Labels): void; set(value: number, labels?: Labels): void };
export type Histogram = { observe(value: number, labels?: Labels): void };

export type MetricsRegistry = {
  counter(name: string, help: string, labelNames?: readonly string[]): Counter;
  gauge(name: string, help: string, labelNames?: readonly string[]): Gauge;
  /** `buckets`: upper bounds in ascending order; `+Inf` is added. */
  histogram(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]): Histogram;
  /** Every metric in the Prometheus text exposition format 0.0.4. */
  render(): string;
};

/** The content type of `render()`'s output. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

type Series = { labels: Labels; value: number; buckets?: number[]; sum?: number };
type Family = { name: string; help: string; type: "counter" | "gauge" | "histogram"; labelNames: readonly string[]; bounds?: readonly number[]; series: Map<string, Series> };

const NO_LABELS: Labels = Object.freeze({});
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * A minimal metrics registry rendering the Prometheus text format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/): counters, gauges and cumulative histograms
 * with `_bucket{le}`, `_sum` and `_count`, label values escaped (`\\`, `"`, newline). Runtime-neutral, no
 * dependencies, so the proxy runs the same under Deno and Node. Labels must be exactly the declared names.
 *
 * @example
 * ```ts
 * const registry = createMetricsRegistry();
 * const requests = registry.counter("rpc_proxy_requests_total", "JSON-RPC requests", ["method", "outcome"]);
 * requests.inc({ method: "eth_chainId", outcome: "ok" });
 * const text = registry.render();
 * ```
 */
export function createMetricsRegistry(): MetricsRegistry {
  const families = new Map<string, Family>();

  const define = (name: string, help: string, type: Family["type"], labelNames: readonly string[], bounds?: readonly number[]): Family => {
    if (!NAME.test(name)) throw new TypeError(`Invalid metric name ${JSON.stringify(name)}`);
    if (families.has(name)) throw new TypeError(`Metric ${name} is already defined`);
    for (const label of labelNames) if (!LABEL.test(label) || label === "le") throw new TypeError(`Invalid label name ${JSON.stringify(label)}`);
    if (bounds && bounds.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= bounds[i - 1]!))) throw new RangeError(`Invalid buckets for ${name}`);
    const family: Family = { name, help, type, labelNames, series: new Map(), ...(bounds ? { bounds } : {}) };
    families.set(name, family);
    return family;
  };

  // Runs for every metric a request records, so it builds the series key without arrays or closures (issue
  // 14's passthrough latency): the declared labels' values joined by NUL, after counting the given labels.
  const series = (family: Family, labels: Labels = NO_LABELS): Series => {
    const labelNames = family.labelNames;
    let given = 0;
    for (const _ in labels) given++;
    if (given !== labelNames.length) throw wrongLabels(family);
    let key = "";
    for (let i = 0; i < labelNames.length; i++) {
      const value = labels[labelNames[i]!];
      if (typeof value !== "string") throw wrongLabels(family);
      key = i === 0 ? value : `${key}\u0000${value}`;
    }
    let s = family.series.get(key);
    if (!s) {
      const ordered = Object.fromEntries(family.labelNames.map((n) => [n, labels[n]!]));
      s = family.bounds ? { labels: ordered, value: 0, buckets: family.bounds.map(() => 0), sum: 0 } : { labels: ordered, value: 0 };
      family.series.set(key, s);
    }
    return s;
  };

  return {
    counter(name, help, labelNames = []) {
      const family = define(name, help, "counter", labelNames);
      return {
        inc(labels, value = 1) {
          if (!(value >= 0)) throw new RangeError(`Counter ${name} cannot decrease`);
          series(family, labels).value += value;
        },
      };
    },
    gauge(name, help, labelNames = []) {
      const family = define(name, help, "gauge", labelNames);
      return {
        inc: (labels) => void (series(family, labels).value += 1),
        dec: (labels) => void (series(family, labels).value -= 1),
        set: (value, labels) => void (series(family, labels).value = value),
      };
    },
    histogram(name, help, labelNames, buckets) {
      const family = define(name, help, "histogram", labelNames, buckets);
      return {
        observe(value, labels) {
          const s = series(family, labels);
          s.value += 1;
          s.sum! += value;
          const bounds = family.bounds!;
          for (let i = bounds.length - 1; i >= 0 && value <= bounds[i]!; i--) s.buckets![i]! += 1;
        },
      };
    },
    render() {
      const lines: string[] = [];
      for (const family of families.values()) {
        lines.push(`# HELP ${family.name} ${family.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`);
        lines.push(`# TYPE ${family.name} ${family.type}`);
        for (const s of family.series.values()) {
          if (family.type !== "histogram") {
            lines.push(`${family.name}${labelText(s.labels)} ${number(s.value)}`);
            continue;
          }
          family.bounds!.forEach((bound, i) => {
            lines.push(`${family.name}_bucket${labelText({ ...s.labels, le: number(bound) })} ${s.buckets![i]}`);
          });
          lines.push(`${family.name}_bucket${labelText({ ...s.labels, le: "+Inf" })} ${s.value}`);
          lines.push(`${family.name}_sum${labelText(s.labels)} ${number(s.sum!)}`);
          lines.push(`${family.name}_count${labelText(s.labels)} ${s.value}`);
        }
      }
      return `${lines.join("\n")}\n`;
    },
  };
}

function wrongLabels(family: Family): TypeError {
  return new TypeError(`Metric ${family.name} takes labels ${family.labelNames.join(", ") || "(none)"}`);
}

function labelText(labels: Labels): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`);
  return pairs.length === 0 ? "" : `{${pairs.join(",")}}`;
}

function number(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}
