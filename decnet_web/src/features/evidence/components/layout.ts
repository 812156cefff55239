import type { EvidenceFeature, IdentityEvidence } from "../../../api/types";

/** A feature weight below this many bits is common and drawn faint. */
export const COMMON_FEATURE_BITS = 2;

/** At most this many nodes are drawn; the rest are listed in the table. */
export const MAX_NODES = 60;

export type GraphNode = { uuid: string; label: string; x: number; y: number };

export type GraphEdge = {
  a: GraphNode;
  b: GraphNode;
  weightBits: number;
  strongest: EvidenceFeature | null;
  /** True when every shared feature is common (low weight). */
  faint: boolean;
};

export type GraphLayout = {
  nodes: GraphNode[];
  edges: GraphEdge[];
  hiddenNodes: number;
};

function strongestFeature(features: readonly EvidenceFeature[]) {
  let best: EvidenceFeature | null = null;
  for (const feature of features) {
    if (!best || feature.weight > best.weight) {
      best = feature;
    }
  }
  return best;
}

/**
 * Place observations on a circle and join linked pairs.
 *
 * When there are more than MAX_NODES observations, the ones in the
 * heaviest links are kept, so the drawing stays legible and the DOM small.
 */
export function layoutEvidence(
  evidence: IdentityEvidence,
  size: number,
): GraphLayout {
  const labels = new Map<string, string>();
  for (const observation of evidence.observations) {
    labels.set(observation.uuid, observation.ip);
  }
  const links = [...evidence.links].sort(
    (l, r) => r.weight_bits - l.weight_bits,
  );
  const kept: string[] = [];
  const keep = (uuid: string) => {
    if (!kept.includes(uuid) && kept.length < MAX_NODES) {
      kept.push(uuid);
    }
  };
  for (const link of links) {
    keep(link.observation_a);
    keep(link.observation_b);
  }
  for (const observation of evidence.observations) {
    keep(observation.uuid);
  }
  const total = new Set([...labels.keys(), ...kept]).size;

  const centre = size / 2;
  const radius = kept.length > 1 ? size / 2 - 70 : 0;
  const nodes = new Map<string, GraphNode>();
  kept.forEach((uuid, index) => {
    const angle = (2 * Math.PI * index) / kept.length - Math.PI / 2;
    nodes.set(uuid, {
      uuid,
      label: labels.get(uuid) ?? uuid.slice(0, 8),
      x: centre + radius * Math.cos(angle),
      y: centre + radius * Math.sin(angle),
    });
  });

  const edges: GraphEdge[] = [];
  for (const link of links) {
    const a = nodes.get(link.observation_a);
    const b = nodes.get(link.observation_b);
    if (!a || !b) {
      continue;
    }
    const strongest = strongestFeature(link.features);
    edges.push({
      a,
      b,
      weightBits: link.weight_bits,
      strongest,
      faint: link.features.every((f) => f.weight < COMMON_FEATURE_BITS),
    });
  }
  return {
    nodes: [...nodes.values()],
    edges,
    hiddenNodes: total - kept.length,
  };
}
