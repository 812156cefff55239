/** The first eight hex digits of a uuid, as shown on badges and links. */
export function shortId(uuid: string): string {
  return uuid.slice(0, 8);
}

/** Format an ISO 8601 timestamp as "YYYY-MM-DD HH:MM UTC"; "—" when null. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) {
    return "—";
  }
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return iso;
  }
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** Format a 0..1 score as a percentage with no decimals. */
export function formatPercent(value: number): string {
  return `${Math.round(value * 100)} %`;
}

/** Count the distinct values of a nullable list. */
export function distinctCount(values: readonly string[] | null | undefined) {
  return new Set(values ?? []).size;
}

// Credential features store "username<US>password" with the ASCII unit
// separator (U+001F), which fonts draw as a box.
const UNIT_SEPARATOR = /\u001f/g;

/** Format a feature value for display: a credential pair as "user:password". */
export function formatFeatureValue(value: string): string {
  return value.replace(UNIT_SEPARATOR, ":");
}
