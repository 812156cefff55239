import { Link } from "react-router-dom";

import { shortId } from "./format";

/** `CAMPAIGN · <prefix>` for an identity assigned to a campaign. */
export function CampaignBadge({ uuid }: { uuid: string }) {
  return (
    <span className="badge badge-campaign" title={`Campaign ${uuid}`}>
      CAMPAIGN · {shortId(uuid)}
    </span>
  );
}

/** `IDENTITY · <prefix>`, linking to the identity's detail page. */
export function IdentityBadge({ uuid }: { uuid: string }) {
  return (
    <Link
      className="badge badge-identity"
      to={`/identities/${uuid}`}
      aria-label={`Identity ${uuid}`}
    >
      IDENTITY · {shortId(uuid)}
    </Link>
  );
}
