import { type SafeHtml, html } from "../html.js";

const WIDTH = 720;
const HEIGHT = 200;
const PAD = { top: 12, right: 12, bottom: 28, left: 44 };
const DAY_MS = 86_400_000;

/** One bar: the start of its UTC hour or day and its count. */
export interface ChartPoint {
  start: Date;
  count: number;
}

/**
 * Errors per hour or per day as an inline SVG bar chart, drawn on the server: no script, no
 * external asset. Screen readers get a title and a description with the figures that matter
 * (total, peak); each bar carries its hour or day and count as a tooltip.
 */
export function trendChart(
  points: readonly ChartPoint[],
  label: string,
  unit: "hour" | "day" = "hour",
  id = "trend",
): SafeHtml {
  const total = points.reduce((sum, p) => sum + p.count, 0);
  const peak = points.reduce<ChartPoint | undefined>(
    (best, p) => (best === undefined || p.count > best.count ? p : best),
    undefined,
  );
  const max = Math.max(2, peak?.count ?? 0);
  const top = niceCeiling(max);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const step = plotW / Math.max(1, points.length);
  const barW = Math.max(0.5, step * 0.8);
  const name = unit === "day" ? dayLabel : hourLabel;

  const bars = points.map((p, i) => {
    const h = (p.count / top) * plotH;
    const x = PAD.left + i * step + (step - barW) / 2;
    const y = PAD.top + plotH - h;
    return html`<rect class="bar" x="${fixed(x)}" y="${fixed(y)}" width="${fixed(barW)}" height="${fixed(h)}" data-count="${p.count}"><title>${name(p.start)}: ${p.count} errors</title></rect>`;
  });

  // Y axis: 0, half and top; X axis: first, middle and last bar.
  const yTicks = [0, top / 2, top].map((v) => {
    const y = PAD.top + plotH - (v / top) * plotH;
    return html`<line class="grid" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${fixed(y)}" y2="${fixed(y)}"/><text class="tick" x="${PAD.left - 6}" y="${fixed(y + 4)}" text-anchor="end">${v}</text>`;
  });
  const xIndexes = [...new Set([0, Math.floor((points.length - 1) / 2), points.length - 1])];
  const xTicks = points.length
    ? xIndexes.map((i) => {
        const point = points[i];
        if (!point) return html``;
        const x = PAD.left + i * step + step / 2;
        const anchor = i === 0 ? "start" : i === points.length - 1 ? "end" : "middle";
        return html`<text class="tick" x="${fixed(x)}" y="${HEIGHT - 8}" text-anchor="${anchor}">${name(point.start)}</text>`;
      })
    : [];

  const span = `${points.length} ${unit}${points.length === 1 ? "" : "s"}`;
  const description =
    total === 0 || !peak
      ? `No errors in ${span}.`
      : unit === "day"
        ? `${total} errors over ${span}; peak ${peak.count} on ${dayLabel(peak.start)} (UTC).`
        : `${total} errors over ${span}; peak ${peak.count} in the hour starting ${hourLabel(peak.start)} UTC.`;

  return html`<svg class="trend" role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">
<title id="${id}-title">${label}</title>
<desc id="${id}-desc">${description}</desc>
${yTicks}
${bars}
${xTicks}
</svg>`;
}

/** Hourly points folded into UTC days (the first and last day may be partial). */
export function byDay(points: readonly ChartPoint[]): ChartPoint[] {
  const days: ChartPoint[] = [];
  for (const p of points) {
    const start = Math.floor(p.start.getTime() / DAY_MS) * DAY_MS;
    const last = days.at(-1);
    if (last && last.start.getTime() === start) last.count += p.count;
    else days.push({ start: new Date(start), count: p.count });
  }
  return days;
}

/** "2026-11-23 14:00": UTC, so every reader sees the same hours as the API. */
export function hourLabel(hour: Date): string {
  return `${hour.toISOString().slice(0, 13).replace("T", " ")}:00`;
}

/** "2026-11-23". */
export function dayLabel(day: Date): string {
  return day.toISOString().slice(0, 10);
}

/** A round axis top >= value whose half is a whole number too (counts have no halves). */
function niceCeiling(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const m of [2, 4, 6, 8, 10]) if (m * magnitude >= value) return m * magnitude;
  return 10 * magnitude;
}

function fixed(n: number): string {
  return n.toFixed(1);
}
