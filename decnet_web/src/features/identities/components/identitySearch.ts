import type { IdentitySort } from "../api/getIdentities";

const IPV4 = /^(\d{1,3}\.){3}\d{1,3}$/;
const IPV6 = /^[0-9a-f:.]+$/i;

/** True when the text looks like an IPv4 or IPv6 address. */
export function looksLikeIp(text: string): boolean {
  return IPV4.test(text) || (text.includes(":") && IPV6.test(text));
}

/** Labels of the server's identity orders, largest or newest first. */
export const IDENTITY_SORTS: Record<IdentitySort, string> = {
  updated: "Recently updated",
  last_seen: "Last seen",
  first_seen: "First seen",
  observations: "Most observations",
  confidence: "Highest confidence",
};

export function isIdentitySort(value: string | null): value is IdentitySort {
  return value !== null && value in IDENTITY_SORTS;
}
