import type { components } from "./schema";

type Schemas = components["schemas"];

export type Identity = Schemas["IdentityPublic"];
export type IdentityDetail = Schemas["IdentityDetail"];
export type IdentityPage = Schemas["IdentityPage"];
export type Attacker = Schemas["AttackerPublic"];
export type AttackerDetail = Schemas["AttackerDetail"];
export type AttackerPage = Schemas["AttackerPage"];
export type AttackerSession = Schemas["SessionPublic"];
export type IdentityEvidence = Schemas["EvidencePublic"];
export type EvidenceLink = Schemas["LinkPublic"];
export type FeatureSummary = Schemas["FeatureEvidence"];
export type HistoryPage = Schemas["HistoryPage"];
export type HistoryEntry = Schemas["HistoryPublic"];
export type Decision = Schemas["DecisionPublic"];
export type MergeResult = Schemas["MergeResult"];
export type Campaign = Schemas["CampaignPublic"];
export type CampaignPage = Schemas["CampaignPage"];

/** One shared feature of a link, as stored in `LinkPublic.features`. */
export type LinkFeature = {
  kind: string;
  value: string;
  frequency: number | null;
  weight: number;
};

/** Read the features of a link, skipping entries of an unexpected shape. */
export function linkFeatures(link: EvidenceLink): LinkFeature[] {
  const features: LinkFeature[] = [];
  for (const item of link.features) {
    const { kind, value, frequency, weight } = item as Record<string, unknown>;
    if (typeof kind !== "string" || typeof weight !== "number") {
      continue;
    }
    features.push({
      kind,
      value: String(value ?? ""),
      frequency: typeof frequency === "number" ? frequency : null,
      weight,
    });
  }
  return features;
}
