/**
 * A hand-written SVG line chart: cumulative cost over time per strategy on one run, with the spot
 * capacity of every zone of the world as strips below. Numbers are printed with fixed decimals, so the
 * same input gives the same bytes.
 */
export interface ChartSeries {
  name: string;
  color: string;
  /** Cumulative cost at the end of each step, USD. */
  values: readonly number[];
  dashed?: boolean;
  /** Left out of the y scale (drawn, clipped at the top; its final cost is in the legend). */
  offScale?: boolean;
}

export interface ChartInput {
  title: string;
  subtitle: string;
  stepHours: number;
  series: readonly ChartSeries[];
  /** Steps from the start to the deadline (a dashed line). */
  deadlineStep: number;
  /** Per zone, 1 where spot was available, per step from the job's start. */
  strips: readonly { name: string; avail: ArrayLike<number>; home: boolean }[];
}

const W = 860;
const LEFT = 64;
const RIGHT = 190;
const TOP = 56;
const PLOT_H = 300;
const STRIP_H = 7;
const STRIP_GAP = 2;

function f(x: number): string {
  return x.toFixed(1);
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A round step for about `n` ticks over [0, max]. */
function tickStep(max: number, n: number): number {
  const raw = max / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

export function costChartSvg(input: ChartInput): string {
  const steps = Math.max(input.deadlineStep, ...input.series.map((s) => s.values.length));
  const hours = steps * input.stepHours;
  const scaled = input.series.filter((s) => s.offScale !== true);
  const maxCost = Math.max(...(scaled.length > 0 ? scaled : input.series).map((s) => s.values[s.values.length - 1] ?? 0));
  const yStep = tickStep(maxCost, 5);
  const yMax = Math.ceil(maxCost / yStep) * yStep;
  const xStep = tickStep(hours, 8);
  const plotW = W - LEFT - RIGHT;
  const x = (h: number) => LEFT + (h / hours) * plotW;
  const y = (usd: number) => TOP + PLOT_H - (usd / yMax) * PLOT_H;
  const stripsTop = TOP + PLOT_H + 44;
  const H = stripsTop + input.strips.length * (STRIP_H + STRIP_GAP) + 30;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<defs><clipPath id="plot"><rect x="${LEFT}" y="${TOP}" width="${f(plotW)}" height="${PLOT_H}"/></clipPath></defs>`);
  out.push(`<text x="${LEFT}" y="22" font-size="15" font-weight="bold">${esc(input.title)}</text>`);
  out.push(`<text x="${LEFT}" y="40" fill="#555555">${esc(input.subtitle)}</text>`);
  // grid and axes
  for (let v = 0; v <= yMax + 1e-9; v += yStep) {
    out.push(`<line x1="${LEFT}" y1="${f(y(v))}" x2="${LEFT + plotW}" y2="${f(y(v))}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${LEFT - 6}" y="${f(y(v) + 4)}" text-anchor="end" fill="#333333">$${Number(v.toFixed(2))}</text>`);
  }
  for (let h = 0; h <= hours + 1e-9; h += xStep) {
    out.push(`<line x1="${f(x(h))}" y1="${TOP}" x2="${f(x(h))}" y2="${TOP + PLOT_H}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${f(x(h))}" y="${TOP + PLOT_H + 16}" text-anchor="middle" fill="#333333">${Number(h.toFixed(1))} h</text>`);
  }
  out.push(`<line x1="${LEFT}" y1="${TOP + PLOT_H}" x2="${LEFT + plotW}" y2="${TOP + PLOT_H}" stroke="#333333"/>`);
  out.push(`<line x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${TOP + PLOT_H}" stroke="#333333"/>`);
  out.push(`<text x="${LEFT + plotW / 2}" y="${TOP + PLOT_H + 32}" text-anchor="middle" fill="#333333">hours since the job started</text>`);
  out.push(`<text transform="translate(16 ${TOP + PLOT_H / 2}) rotate(-90)" text-anchor="middle" fill="#333333">cumulative cost (USD)</text>`);
  // deadline
  const dx = f(x(input.deadlineStep * input.stepHours));
  out.push(`<line x1="${dx}" y1="${TOP}" x2="${dx}" y2="${TOP + PLOT_H}" stroke="#999999" stroke-dasharray="4 3"/>`);
  out.push(`<text x="${dx}" y="${TOP - 4}" text-anchor="middle" fill="#777777">deadline</text>`);
  // series
  input.series.forEach((s, i) => {
    const pts = [`${f(x(0))},${f(y(0))}`];
    s.values.forEach((v, k) => pts.push(`${f(x((k + 1) * input.stepHours))},${f(y(v))}`));
    out.push(`<polyline fill="none" clip-path="url(#plot)" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 3"' : ""} points="${pts.join(" ")}"/>`);
    const ly = TOP + 10 + i * 20;
    const last = s.values[s.values.length - 1] ?? 0;
    out.push(`<line x1="${LEFT + plotW + 14}" y1="${ly}" x2="${LEFT + plotW + 34}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 3"' : ""}/>`);
    out.push(`<text x="${LEFT + plotW + 40}" y="${ly + 4}">${esc(s.name)} $${last.toFixed(2)}${s.offScale === true ? " ↑" : ""}</text>`);
  });
  // spot capacity strips
  out.push(`<text x="${LEFT}" y="${stripsTop - 8}" fill="#333333">spot capacity per zone (green: available; the job's own zone in bold)</text>`);
  input.strips.forEach((strip, i) => {
    const top = stripsTop + i * (STRIP_H + STRIP_GAP);
    out.push(`<rect x="${LEFT}" y="${top}" width="${f(plotW)}" height="${STRIP_H}" fill="#f3d6d6"/>`);
    let runStart = -1;
    for (let k = 0; k <= steps; k++) {
      const up = k < steps && k < strip.avail.length && strip.avail[k] === 1;
      if (up && runStart < 0) runStart = k;
      if (!up && runStart >= 0) {
        out.push(`<rect x="${f(x(runStart * input.stepHours))}" y="${top}" width="${f(x(k * input.stepHours) - x(runStart * input.stepHours))}" height="${STRIP_H}" fill="#6cbf6c"/>`);
        runStart = -1;
      }
    }
    out.push(`<text x="${LEFT + plotW + 14}" y="${top + STRIP_H}" font-size="9"${strip.home ? ' font-weight="bold"' : ""}>${esc(strip.name)}</text>`);
  });
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
