import type { IdentityDetail } from "../../../api/types";
import {
  distinctCount,
  formatPercent,
  formatTime,
} from "../../../components/format";

/** Stats row: live count, distinct fingerprints, and optional scores. */
export function IdentityStats({ identity }: { identity: IdentityDetail }) {
  const stats: [string, string][] = [
    ["Observations", identity.observation_count_live.toLocaleString("en")],
    ["Distinct JA3", String(distinctCount(identity.ja3_hashes))],
    ["Distinct HASSH", String(distinctCount(identity.hassh_hashes))],
    ["Payload SimHashes", String(distinctCount(identity.payload_simhashes))],
    ["C2 endpoints", String(distinctCount(identity.c2_endpoints))],
  ];
  if (identity.confidence !== null && identity.confidence !== undefined) {
    stats.push(["Confidence", formatPercent(identity.confidence)]);
  }
  if (
    identity.schema_version !== null &&
    identity.schema_version !== undefined
  ) {
    stats.push(["Schema version", String(identity.schema_version)]);
  }
  return (
    <>
      <dl className="stats" aria-label="Identity statistics">
        {stats.map(([label, value]) => (
          <div key={label} className="stat">
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <p className="muted seen">
        First seen {formatTime(identity.first_seen_at)} · last seen{" "}
        {formatTime(identity.last_seen_at)} · updated{" "}
        {formatTime(identity.updated_at)}
      </p>
    </>
  );
}
