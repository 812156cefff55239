import { Link } from "react-router-dom";

import type { Identity } from "../../../api/types";
import { CampaignBadge } from "../../../components/Badges";
import {
  distinctCount,
  formatPercent,
  formatTime,
  shortId,
} from "../../../components/format";

type IdentityTableProps = { rows: readonly Identity[]; busy?: boolean };

/** Render one row per identity, each linking to its detail page. */
export function IdentityTable({ rows, busy = false }: IdentityTableProps) {
  return (
    <div className="table-wrap">
      <table aria-label="Identities" aria-busy={busy}>
        <thead>
          <tr>
            <th scope="col">Identity</th>
            <th scope="col" className="num">
              Observations
            </th>
            <th scope="col" className="num">
              Confidence
            </th>
            <th scope="col">First seen</th>
            <th scope="col">Last seen</th>
            <th scope="col" className="num">
              HASSH
            </th>
            <th scope="col" className="num">
              JA3
            </th>
            <th scope="col">C2 endpoints</th>
            <th scope="col">Campaign</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((identity) => (
            <tr key={identity.uuid}>
              <td>
                <Link
                  to={`/identities/${identity.uuid}`}
                  aria-label={`Identity ${identity.uuid}`}
                >
                  <code>{shortId(identity.uuid)}</code>
                </Link>
              </td>
              <td className="num">{identity.observation_count}</td>
              <td className="num">
                {identity.confidence === null
                  ? "—"
                  : formatPercent(identity.confidence)}
              </td>
              <td>{formatTime(identity.first_seen_at)}</td>
              <td>{formatTime(identity.last_seen_at)}</td>
              <td className="num">{distinctCount(identity.hassh_hashes)}</td>
              <td className="num">{distinctCount(identity.ja3_hashes)}</td>
              <td className="truncate">
                {identity.c2_endpoints.slice(0, 2).join(", ") || "—"}
              </td>
              <td>
                {identity.campaign_id ? (
                  <CampaignBadge uuid={identity.campaign_id} />
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
