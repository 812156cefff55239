import type { EvidenceLink } from "../../../api/types";
import { layoutEvidence, MAX_NODES } from "./layout";

function link(a: string, b: string, weights: number[], id = 1): EvidenceLink {
  return {
    id,
    identity_uuid: "identity",
    observation_a: a,
    observation_b: b,
    weight_bits: weights.reduce((sum, weight) => sum + weight, 0),
    posterior: 0.99,
    created_at: "2026-11-03T00:00:00Z",
    features: weights.map((weight, index) => ({
      kind: `kind${index}`,
      value: `value${index}`,
      frequency: 3,
      weight,
    })),
  };
}

describe("layoutEvidence", () => {
  it("marks a link of common features faint", () => {
    const layout = layoutEvidence([link("a", "b", [1.1, 0.4])], new Map(), 500);
    expect(layout.edges[0]?.faint).toBe(true);
  });

  it("keeps a link with one rare feature solid", () => {
    const layout = layoutEvidence(
      [link("a", "b", [1.1, 11.6])],
      new Map(),
      500,
    );
    expect(layout.edges[0]?.faint).toBe(false);
  });

  it("labels an edge with its heaviest feature", () => {
    const layout = layoutEvidence(
      [link("a", "b", [1.1, 11.6])],
      new Map(),
      500,
    );
    expect(layout.edges[0]?.strongest?.kind).toBe("kind1");
  });

  it("labels nodes with IPs when known", () => {
    const labels = new Map([["a", "198.51.100.7"]]);
    const layout = layoutEvidence([link("a", "b", [5])], labels, 500);
    expect(layout.nodes.map((node) => node.label)).toEqual([
      "198.51.100.7",
      "b",
    ]);
  });

  it("draws at most MAX_NODES nodes", () => {
    const links = Array.from({ length: 100 }, (_, index) =>
      link(`hub`, `leaf${index}`, [index + 1], index),
    );
    const layout = layoutEvidence(links, new Map(), 500);
    expect(layout.nodes).toHaveLength(MAX_NODES);
    expect(layout.hiddenNodes).toBe(101 - MAX_NODES);
  });

  it("places a chain of links along the circle", () => {
    // Strongest first: a-b, c-d, then b-d joins the two pairs into a chain.
    const layout = layoutEvidence(
      [link("a", "b", [10], 1), link("c", "d", [9], 2), link("b", "d", [8], 3)],
      new Map(),
      500,
    );
    expect(layout.nodes.map((node) => node.uuid)).toEqual(["a", "b", "d", "c"]);
  });
});
