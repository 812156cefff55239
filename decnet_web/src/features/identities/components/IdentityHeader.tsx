import { Link } from "react-router-dom";

import type { IdentityDetail } from "../../../api/types";
import { CampaignBadge } from "../../../components/Badges";
import { shortId } from "../../../components/format";

type IdentityHeaderProps = {
  /** The uuid in the address bar. */
  requestedUuid: string;
  identity: IdentityDetail;
};

/** The uuid that was merged into another one, or null for a canonical row. */
export function mergedWinner(
  requestedUuid: string,
  identity: IdentityDetail,
): string | null {
  if (identity.uuid !== requestedUuid) {
    return identity.uuid;
  }
  return identity.merged_into_uuid;
}

/** Title with the uuid, the campaign badge and the merged-into link. */
export function IdentityHeader({
  requestedUuid,
  identity,
}: IdentityHeaderProps) {
  const winner = mergedWinner(requestedUuid, identity);
  return (
    <header className="detail-head">
      <h1>
        Identity <code className="uuid">{requestedUuid}</code>
      </h1>
      <div className="badges">
        {identity.campaign_id ? (
          <CampaignBadge uuid={identity.campaign_id} />
        ) : null}
        {winner ? (
          <Link
            className="badge badge-merged"
            to={`/identities/${winner}`}
            aria-label={`Merged into identity ${winner}`}
          >
            MERGED INTO {shortId(winner)}
          </Link>
        ) : null}
      </div>
      {winner ? (
        <p className="notice">
          This identity was merged away. Below is its winner,{" "}
          <code>{winner}</code>, which now holds its observations.
        </p>
      ) : null}
    </header>
  );
}
