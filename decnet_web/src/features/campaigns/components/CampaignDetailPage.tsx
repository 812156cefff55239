import { useState } from "react";
import { useParams } from "react-router-dom";

import { ApiError } from "../../../api/client";
import { formatPercent, formatTime } from "../../../components/format";
import { Pagination } from "../../../components/Pagination";
import { EmptyState, ErrorState, Loading } from "../../../components/States";
import { IdentityTable } from "../../identities/components/IdentityTable";
import { useCampaign } from "../api/getCampaign";
import { useCampaignIdentities } from "../api/getCampaignIdentities";

const PAGE_SIZE = 50;

/** Render one campaign and the identities assigned to it. */
export function CampaignDetailPage() {
  const { id = "" } = useParams();
  const query = useCampaign(id);

  if (query.isPending) {
    return <Loading what="the campaign" />;
  }
  if (query.isError) {
    if (query.error instanceof ApiError && query.error.status === 404) {
      return (
        <EmptyState title="Campaign not found">
          No campaign has the uuid <code>{id}</code>.
        </EmptyState>
      );
    }
    return (
      <ErrorState
        error={query.error}
        what="the campaign"
        onRetry={() => void query.refetch()}
      />
    );
  }
  const campaign = query.data;
  return (
    <article className="detail">
      <header className="detail-head">
        <h1>
          Campaign <code className="uuid">{campaign.uuid}</code>
        </h1>
        <p className="muted">
          {campaign.name ? `${campaign.name} · ` : ""}
          {campaign.identity_count} identities
          {campaign.confidence !== null
            ? ` · confidence ${formatPercent(campaign.confidence)}`
            : ""}{" "}
          · first seen {formatTime(campaign.first_seen_at)} · last seen{" "}
          {formatTime(campaign.last_seen_at)}
        </p>
      </header>
      {campaign.notes ? <p className="notes">{campaign.notes}</p> : null}
      <CampaignIdentities uuid={campaign.uuid} />
    </article>
  );
}

function CampaignIdentities({ uuid }: { uuid: string }) {
  const [offset, setOffset] = useState(0);
  const query = useCampaignIdentities(uuid, { limit: PAGE_SIZE, offset });
  if (query.isPending) {
    return <Loading what="identities" />;
  }
  if (query.isError) {
    return (
      <ErrorState
        error={query.error}
        what="identities"
        onRetry={() => void query.refetch()}
      />
    );
  }
  if (query.data.total === 0) {
    return <EmptyState title="No identities are assigned to this campaign" />;
  }
  return (
    <section className="panel" aria-labelledby="campaign-identities-title">
      <h2 id="campaign-identities-title">Identities</h2>
      <IdentityTable rows={query.data.data} busy={query.isFetching} />
      <Pagination
        label="Campaign identity pages"
        total={query.data.total}
        limit={query.data.limit}
        offset={offset}
        onChange={setOffset}
      />
    </section>
  );
}
