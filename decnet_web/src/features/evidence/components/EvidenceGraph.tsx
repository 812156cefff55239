import { Link } from "react-router-dom";

import type { IdentityEvidence } from "../../../api/types";
import { COMMON_FEATURE_BITS, layoutEvidence } from "./layout";

const SIZE = 560;

function formatBits(bits: number): string {
  return `${bits >= 0 ? "+" : ""}${bits.toFixed(1)} bits`;
}

/**
 * Observations as nodes and accepted links as edges, each edge labelled
 * with its strongest shared feature and weight. Links that rest only on
 * common features are drawn faint and dashed. A table lists every link
 * with all of its features for keyboard and screen-reader users.
 */
export function EvidenceGraph({ evidence }: { evidence: IdentityEvidence }) {
  const layout = layoutEvidence(evidence, SIZE);
  if (layout.nodes.length === 0) {
    return <p className="muted">No evidence recorded for this identity.</p>;
  }
  return (
    <div className="evidence">
      <svg
        role="img"
        aria-label={`Evidence graph: ${layout.nodes.length} observations, ${layout.edges.length} links`}
        viewBox={`0 0 ${SIZE} ${SIZE}`}
        className="evidence-graph"
      >
        {layout.edges.map((edge) => {
          const midX = (edge.a.x + edge.b.x) / 2;
          const midY = (edge.a.y + edge.b.y) / 2;
          const label = edge.strongest
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
                strokeWidth={Math.min(6, 1 + Math.max(0, edge.weightBits) / 4)}
              />
              <text
                x={midX}
                y={midY}
                textAnchor="middle"
                className="edge-label"
              >
                {label}
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
      <p className="muted legend">
        Edge label: the strongest shared feature and its match weight. Faint
        dashed edges share only common features (under {COMMON_FEATURE_BITS}{" "}
        bits each).
        {layout.hiddenNodes > 0
          ? ` ${layout.hiddenNodes} weaker observations are not drawn; the table lists every link.`
          : ""}
      </p>
      <details>
        <summary>
          All links and shared features ({evidence.links.length})
        </summary>
        <table aria-label="Evidence links">
          <thead>
            <tr>
              <th scope="col">Observations</th>
              <th scope="col">Weight</th>
              <th scope="col">Posterior</th>
              <th scope="col">
                Shared features (kind, value, frequency, weight)
              </th>
            </tr>
          </thead>
          <tbody>
            {evidence.links.map((link) => (
              <tr key={`${link.observation_a}-${link.observation_b}`}>
                <td>
                  <Link to={`/attackers/${link.observation_a}`}>
                    {ipOf(evidence, link.observation_a)}
                  </Link>
                  {" — "}
                  <Link to={`/attackers/${link.observation_b}`}>
                    {ipOf(evidence, link.observation_b)}
                  </Link>
                </td>
                <td className="num">{formatBits(link.weight_bits)}</td>
                <td className="num">{link.posterior.toFixed(3)}</td>
                <td>
                  <ul className="features">
                    {link.features.map((feature) => (
                      <li
                        key={`${feature.kind}:${feature.value}`}
                        className={
                          feature.weight < COMMON_FEATURE_BITS ? "faint" : ""
                        }
                      >
                        {feature.kind} <code>{feature.value}</code> on{" "}
                        {feature.frequency} IPs, {formatBits(feature.weight)}
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

function ipOf(evidence: IdentityEvidence, uuid: string): string {
  return (
    evidence.observations.find((row) => row.uuid === uuid)?.ip ??
    uuid.slice(0, 8)
  );
}
