import {
  linkFeatures,
  type EvidenceLink,
  type LinkFeature,
} from "../../../api/types";

/** A feature weight below this many bits is common and drawn faint. */
export const COMMON_FEATURE_BITS = 2;

/** At most this many nodes are drawn; the table lists every link. */
export const MAX_NODES = 60;

export type GraphNode = { uuid: string; label: string; x: number; y: number };

export type GraphEdge = {
  a: GraphNode;
  b: GraphNode;
  weightBits: number;
  strongest: LinkFeature | null;
  /** True when every shared feature is common (low weight). */
  faint: boolean;
};

export type GraphLayout = {
  nodes: GraphNode[];
  edges: GraphEdge[];
  hiddenNodes: number;
};

function strongestFeature(features: readonly LinkFeature[]) {
  let best: LinkFeature | null = null;
  for (const feature of features) {
    if (!best || feature.weight > best.weight) {
      best = feature;
    }
  }
  return best;
}

/**
 * Place the observations of the given links on a circle and join linked
 * pairs. Links are taken strongest first, so when more than MAX_NODES
 * observations take part, the ones in the heaviest links are drawn.
 * `labels` maps observation uuids to IPs; others show a uuid prefix.
 */
export function layoutEvidence(
  links: readonly EvidenceLink[],
  labels: ReadonlyMap<string, string>,
  size: number,
): GraphLayout {
  const sorted = [...links].sort((l, r) => r.weight_bits - l.weight_bits);
  const kept = new Set<string>();
  const all = new Set<string>();
  for (const link of sorted) {
    for (const uuid of [link.observation_a, link.observation_b]) {
      all.add(uuid);
      if (kept.size < MAX_NODES) {
        kept.add(uuid);
      }
    }
  }

  const order = [...kept];
  const centre = size / 2;
  const radius = order.length > 1 ? size / 2 - 70 : 0;
  const nodes = new Map<string, GraphNode>();
  order.forEach((uuid, index) => {
    const angle = (2 * Math.PI * index) / order.length - Math.PI / 2;
    nodes.set(uuid, {
      uuid,
      label: labels.get(uuid) ?? uuid.slice(0, 8),
      x: centre + radius * Math.cos(angle),
      y: centre + radius * Math.sin(angle),
    });
  });

  const edges: GraphEdge[] = [];
  for (const link of sorted) {
    const a = nodes.get(link.observation_a);
    const b = nodes.get(link.observation_b);
    if (!a || !b) {
      continue;
    }
    const features = linkFeatures(link);
    edges.push({
      a,
      b,
      weightBits: link.weight_bits,
      strongest: strongestFeature(features),
      faint: features.every((f) => f.weight < COMMON_FEATURE_BITS),
    });
  }
  return {
    nodes: [...nodes.values()],
    edges,
    hiddenNodes: all.size - kept.size,
  };
}
