import { Link, useSearchParams } from "react-router-dom";

import { formatPercent, formatTime, shortId } from "../../../components/format";
import { Pagination } from "../../../components/Pagination";
import { EmptyState, ErrorState, Loading } from "../../../components/States";
import { useCampaigns } from "../api/getCampaigns";

const PAGE_SIZE = 50;

/** Paged list of campaigns, newest-updated first. */
export function CampaignsPage() {
  const [params, setParams] = useSearchParams();
  const offset = Math.max(0, Number(params.get("offset")) || 0);
  const query = useCampaigns({ limit: PAGE_SIZE, offset });

  let body;
  if (query.isPending) {
    body = <Loading what="campaigns" />;
  } else if (query.isError) {
    body = (
      <ErrorState
        error={query.error}
        what="campaigns"
        onRetry={() => void query.refetch()}
      />
    );
  } else if (query.data.total === 0) {
    body = (
      <EmptyState title="No campaigns yet: no identities act together so far">
        Campaigns form when identities share infrastructure or hand work over to
        each other.
      </EmptyState>
    );
  } else {
    body = (
      <>
        <div className="table-wrap">
          <table aria-label="Campaigns" aria-busy={query.isFetching}>
            <thead>
              <tr>
                <th scope="col">Campaign</th>
                <th scope="col">Name</th>
                <th scope="col" className="num">
                  Identities
                </th>
                <th scope="col" className="num">
                  Confidence
                </th>
                <th scope="col">First seen</th>
                <th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {query.data.data.map((campaign) => (
                <tr key={campaign.uuid}>
                  <td>
                    <Link
                      to={`/campaigns/${campaign.uuid}`}
                      aria-label={`Campaign ${campaign.uuid}`}
                    >
                      <code>{shortId(campaign.uuid)}</code>
                    </Link>
                  </td>
                  <td>{campaign.name ?? "—"}</td>
                  <td className="num">{campaign.identity_count}</td>
                  <td className="num">
                    {campaign.confidence === null
                      ? "—"
                      : formatPercent(campaign.confidence)}
                  </td>
                  <td>{formatTime(campaign.first_seen_at)}</td>
                  <td>{formatTime(campaign.last_seen_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <Pagination
          label="Campaign pages"
          total={query.data.total}
          limit={query.data.limit}
          offset={offset}
          onChange={(next) =>
            setParams(next ? { offset: String(next) } : {}, { replace: true })
          }
        />
      </>
    );
  }

  return (
    <section aria-labelledby="campaigns-title">
      <div className="page-head">
        <h1 id="campaigns-title">Campaigns</h1>
      </div>
      {body}
    </section>
  );
}
