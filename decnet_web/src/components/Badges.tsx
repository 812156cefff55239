import { Link } from "react-router-dom";

import { shortId } from "./format";

/** `CAMPAIGN · <prefix>`, linking to the campaign's page. */
export function CampaignBadge({ uuid }: { uuid: string }) {
  return (
    <Link
      className="badge badge-campaign"
      to={`/campaigns/${uuid}`}
      aria-label={`Campaign ${uuid}`}
    >
      CAMPAIGN · {shortId(uuid)}
    </Link>
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
