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
 * Order nodes for the circle by a depth-first walk over the links,
 * strongest first, so that linked observations sit next to each other and
 * edges cross the circle less often. Unlinked leftovers keep their order.
 */
function circleOrder(
  kept: ReadonlySet<string>,
  sortedLinks: readonly EvidenceLink[],
): string[] {
  const neighbours = new Map<string, string[]>();
  for (const link of sortedLinks) {
    const { observation_a: a, observation_b: b } = link;
    if (!kept.has(a) || !kept.has(b)) {
      continue;
    }
    neighbours.set(a, [...(neighbours.get(a) ?? []), b]);
    neighbours.set(b, [...(neighbours.get(b) ?? []), a]);
  }
  const order: string[] = [];
  const visited = new Set<string>();
  for (const start of kept) {
    const stack = [start];
    while (stack.length > 0) {
      const uuid = stack.pop() as string;
      if (visited.has(uuid)) {
        continue;
      }
      visited.add(uuid);
      order.push(uuid);
      // Reversed so the strongest neighbour is popped, and placed, first.
      const next = (neighbours.get(uuid) ?? []).filter((n) => !visited.has(n));
      stack.push(...next.reverse());
    }
  }
  return order;
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

  const order = circleOrder(kept, sorted);
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
