/*
 * The short texts the sim's tools answer beside their structuredContent: for people and models, so they
 * summarise instead of dumping (the structured answer has everything).
 */

const usdFormat = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 4 });
const intFormat = new Intl.NumberFormat("en-US");

/** `$1,234.5678`: up to four decimals, enough for sub-cent per-GB prices. */
export function usd(x: number): string {
  return usdFormat.format(x);
}

export function usdPerHour(x: number): string {
  return `${usd(x)}/hour`;
}

/** `2,134` */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${intFormat.format(n)} ${n === 1 ? noun : plural}`;
}

/** Simulated time as ISO text (UTC). */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** `aws 3, gcp 2` for a list of things with a cloud. */
export function byCloud(items: readonly { cloud: string }[]): string {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(i.cloud, (counts.get(i.cloud) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([c, n]) => `${c} ${intFormat.format(n)}`)
    .join(", ");
}
