import type { Identity } from "../../../api/types";

const IPV4 = /^(\d{1,3}\.){3}\d{1,3}$/;
const IPV6 = /^[0-9a-f:.]+$/i;

/** True when the text looks like an IPv4 or IPv6 address. */
export function looksLikeIp(text: string): boolean {
  return IPV4.test(text) || (text.includes(":") && IPV6.test(text));
}

export const PAGE_SORTS = {
  updated: "Recently updated (server order)",
  observations: "Most observations",
  confidence: "Highest confidence",
  last_seen: "Last seen",
} as const;

export type PageSort = keyof typeof PAGE_SORTS;

export function isPageSort(value: string | null): value is PageSort {
  return value !== null && value in PAGE_SORTS;
}

function time(value: string | null): number {
  const parsed = value ? Date.parse(value) : NaN;
  return Number.isNaN(parsed) ? -Infinity : parsed;
}

/**
 * Order the rows of one page. The server pages by last update; other
 * orders apply within the page on screen.
 */
export function sortPage(
  rows: readonly Identity[],
  sort: PageSort,
): Identity[] {
  const copy = [...rows];
  switch (sort) {
    case "observations":
      return copy.sort((a, b) => b.observation_count - a.observation_count);
    case "confidence":
      return copy.sort((a, b) => (b.confidence ?? -1) - (a.confidence ?? -1));
    case "last_seen":
      return copy.sort((a, b) => time(b.last_seen_at) - time(a.last_seen_at));
    default:
      return copy;
  }
}
