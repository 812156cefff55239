import { Link } from "react-router-dom";

import { linkFeatures, type IdentityEvidence } from "../../../api/types";
import { formatFeatureValue } from "../../../components/format";
import { COMMON_FEATURE_BITS, layoutEvidence } from "./layout";

const SIZE = 560;

function formatBits(bits: number | null): string {
  if (bits === null) {
    return "—";
  }
  return `${bits >= 0 ? "+" : ""}${bits.toFixed(1)} bits`;
}

type EvidenceGraphProps = {
  evidence: IdentityEvidence;
  /** Observation uuid to IP, for node labels. */
  labels: ReadonlyMap<string, string>;
};

/**
 * Observations as nodes and accepted links as edges, each edge labelled
 * with its strongest shared feature and weight. Links that rest only on
 * common features are drawn faint and dashed. Tables list every feature
 * and link for keyboard and screen-reader users.
 */
export function EvidenceGraph({ evidence, labels }: EvidenceGraphProps) {
  const layout = layoutEvidence(evidence.data, labels, SIZE);
  if (evidence.total === 0) {
    return (
      <p className="muted">
        No links recorded: a single observation, or an identity formed by an
        analyst decision.
      </p>
    );
  }
  const label = (uuid: string) => labels.get(uuid) ?? uuid.slice(0, 8);
  return (
    <div className="evidence">
      <div className="evidence-row">
        <svg
          role="img"
          aria-label={`Evidence graph: ${layout.nodes.length} observations, ${layout.edges.length} links`}
          viewBox={`0 0 ${SIZE} ${SIZE}`}
          className="evidence-graph"
        >
          {layout.edges.map((edge) => {
            const midX = (edge.a.x + edge.b.x) / 2;
            const midY = (edge.a.y + edge.b.y) / 2;
            // Labels run along their edge, kept upright, so that labels of
            // edges fanning out of one node do not stack on each other.
            let angle =
              (Math.atan2(edge.b.y - edge.a.y, edge.b.x - edge.a.x) * 180) /
              Math.PI;
            if (angle > 90) {
              angle -= 180;
            } else if (angle <= -90) {
              angle += 180;
            }
            const text = edge.strongest
              ? `${edge.strongest.kind} ${formatBits(edge.strongest.weight)}`
              : formatBits(edge.weightBits);
            return (
              <g
                key={`${edge.a.uuid}-${edge.b.uuid}`}
                className={edge.faint ? "edge edge-faint" : "edge"}
                data-faint={edge.faint}
              >
                <line
                  x1={edge.a.x}
                  y1={edge.a.y}
                  x2={edge.b.x}
                  y2={edge.b.y}
                  strokeWidth={Math.min(
                    6,
                    1 + Math.max(0, edge.weightBits) / 4,
                  )}
                />
                <text
                  x={midX}
                  y={midY}
                  dy={-4}
                  textAnchor="middle"
                  transform={`rotate(${angle.toFixed(1)} ${midX} ${midY})`}
                  className="edge-label"
                >
                  {text}
                </text>
              </g>
            );
          })}
          {layout.nodes.map((node) => (
            <g key={node.uuid} className="node">
              <circle cx={node.x} cy={node.y} r={7} />
              <text x={node.x} y={node.y - 11} textAnchor="middle">
                {node.label}
              </text>
            </g>
          ))}
        </svg>
        <FeatureSummary evidence={evidence} />
      </div>
      <p className="muted legend">
        Edge label: the strongest shared feature and its match weight. Faint
        dashed edges share only common features (under {COMMON_FEATURE_BITS}{" "}
        bits each).
        {layout.hiddenNodes > 0
          ? ` ${layout.hiddenNodes} observations in weaker links are not drawn.`
          : ""}
        {evidence.total > evidence.data.length
          ? ` Showing the ${evidence.data.length} strongest of ${evidence.total} links.`
          : ""}
      </p>
      <details>
        <summary>
          Every link and its shared features ({evidence.data.length})
        </summary>
        <table aria-label="Evidence links">
          <thead>
            <tr>
              <th scope="col">Observations</th>
              <th scope="col">Weight</th>
              <th scope="col">Posterior</th>
              <th scope="col">Shared features</th>
            </tr>
          </thead>
          <tbody>
            {evidence.data.map((link) => (
              <tr key={link.id}>
                <td>
                  <Link to={`/attackers/${link.observation_a}`}>
                    {label(link.observation_a)}
                  </Link>
                  {" — "}
                  <Link to={`/attackers/${link.observation_b}`}>
                    {label(link.observation_b)}
                  </Link>
                </td>
                <td className="num">{formatBits(link.weight_bits)}</td>
                <td className="num">{link.posterior.toFixed(3)}</td>
                <td>
                  <ul className="features">
                    {linkFeatures(link).map((feature) => (
                      <li
                        key={`${feature.kind}:${feature.value}`}
                        className={
                          feature.weight < COMMON_FEATURE_BITS ? "faint" : ""
                        }
                      >
                        {feature.kind}{" "}
                        <code>{formatFeatureValue(feature.value)}</code>
                        {feature.frequency !== null
                          ? ` on ${feature.frequency} IPs`
                          : ""}
                        , {formatBits(feature.weight)}
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}

/** Render every feature value shared inside the identity, heaviest first. */
function FeatureSummary({ evidence }: { evidence: IdentityEvidence }) {
  const features = [...evidence.features].sort(
    (a, b) => (b.weight ?? 0) - (a.weight ?? 0),
  );
  return (
    <table aria-label="Shared features" className="feature-summary">
      <thead>
        <tr>
          <th scope="col">Feature</th>
          <th scope="col">Fleet frequency</th>
          <th scope="col">Weight</th>
          <th scope="col">Links</th>
        </tr>
      </thead>
      <tbody>
        {features.map((feature) => (
          <tr
            key={`${feature.kind}:${feature.value}`}
            className={
              (feature.weight ?? 0) < COMMON_FEATURE_BITS ? "faint" : undefined
            }
          >
            <td>
              {feature.kind}{" "}
              <code
                className="truncate-inline"
                title={formatFeatureValue(feature.value)}
              >
                {formatFeatureValue(feature.value)}
              </code>
            </td>
            <td className="num">{feature.frequency ?? "—"}</td>
            <td className="num">{formatBits(feature.weight)}</td>
            <td className="num">{feature.link_count}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
