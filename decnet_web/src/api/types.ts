import type { components } from "./schema";

type Schemas = components["schemas"];

export type Identity = Schemas["IdentityRead"];
export type IdentityDetail = Schemas["IdentityDetail"];
export type IdentityPage = Schemas["IdentityPage"];
export type Attacker = Schemas["AttackerRead"];
export type AttackerDetail = Schemas["AttackerDetail"];
export type AttackerPage = Schemas["AttackerPage"];
export type AttackerSession = Schemas["SessionRead"];
export type IdentityEvidence = Schemas["IdentityEvidence"];
export type EvidenceLink = Schemas["EvidenceLink"];
export type EvidenceFeature = Schemas["EvidenceFeature"];
export type HistoryEntry = Schemas["HistoryEntry"];
