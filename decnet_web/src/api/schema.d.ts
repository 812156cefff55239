/**
 * Draft of the API types in the shape openapi-typescript emits; replaced by
 * `npm run gen:api` from the running server's /openapi.json.
 */

export interface paths {
  "/api/v1/auth/login": {
    post: operations["login"];
  };
  "/api/v1/auth/sse-ticket": {
    post: operations["sse_ticket"];
  };
  "/api/v1/identities": {
    get: operations["list_identities"];
  };
  "/api/v1/identities/{uuid}": {
    get: operations["get_identity"];
  };
  "/api/v1/identities/{uuid}/observations": {
    get: operations["list_identity_observations"];
  };
  "/api/v1/identities/{uuid}/evidence": {
    get: operations["get_identity_evidence"];
  };
  "/api/v1/identities/{uuid}/notes": {
    put: operations["put_identity_notes"];
  };
  "/api/v1/identities/{uuid}/merge": {
    post: operations["merge_identity"];
  };
  "/api/v1/identities/{uuid}/split": {
    post: operations["split_identity"];
  };
  "/api/v1/decisions/cannot-link": {
    post: operations["cannot_link"];
  };
  "/api/v1/attackers": {
    get: operations["list_attackers"];
  };
  "/api/v1/attackers/{uuid}": {
    get: operations["get_attacker"];
  };
  "/api/v1/attackers/{uuid}/identity-history": {
    get: operations["get_identity_history"];
  };
}

export interface components {
  schemas: {
    LoginRequest: { username: string; password: string };
    TokenResponse: {
      access_token: string;
      token_type: string;
      expires_in: number;
    };
    TicketResponse: { ticket: string; expires_in: number };
    IdentityRead: {
      uuid: string;
      schema_version: number;
      campaign_id: string | null;
      first_seen_at: string | null;
      last_seen_at: string | null;
      created_at: string;
      updated_at: string;
      confidence: number | null;
      observation_count: number;
      ja3_hashes: string[] | null;
      hassh_hashes: string[] | null;
      payload_simhashes: string[] | null;
      c2_endpoints: string[] | null;
      kd_digraph_simhash: string | null;
      merged_into_uuid: string | null;
      notes: string | null;
    };
    IdentityDetail: components["schemas"]["IdentityRead"] & {
      observation_count_live: number;
    };
    IdentityPage: {
      total: number;
      limit: number;
      offset: number;
      data: components["schemas"]["IdentityRead"][];
    };
    AttackerRead: {
      uuid: string;
      ip: string;
      first_seen_at: string | null;
      last_seen_at: string | null;
      session_count: number;
      event_count: number;
      credential_count: number;
      login_success_count: number;
      command_count: number;
      services: string[] | null;
      sensors: string[] | null;
      client_versions: string[] | null;
      hassh_hashes: string[] | null;
      ja3_hashes: string[] | null;
      payload_sha256: string[] | null;
      c2_endpoints: string[] | null;
      kd_digraph_simhash: string | null;
      created_at: string;
      updated_at: string;
      identity_id: string | null;
    };
    AttackerPage: {
      total: number;
      limit: number;
      offset: number;
      data: components["schemas"]["AttackerRead"][];
    };
    SessionRead: {
      id: number;
      sensor: string;
      session_id: string;
      protocol: string | null;
      src_port: number | null;
      dst_port: number | null;
      started_at: string | null;
      ended_at: string | null;
      duration_s: number | null;
      client_version: string | null;
      hassh: string | null;
      credentials:
        { username: string; password: string; success: boolean }[] | null;
      commands:
        { input: string; failed?: boolean; truncated?: boolean }[] | null;
      downloads:
        { kind: string; url?: string | null; sha256?: string | null }[] | null;
      input_typed: boolean | null;
      phase: string | null;
    };
    AttackerDetail: components["schemas"]["AttackerRead"] & {
      sessions: components["schemas"]["SessionRead"][];
    };
    EvidenceFeature: {
      kind: string;
      value: string;
      frequency: number;
      weight: number;
    };
    EvidenceLink: {
      observation_a: string;
      observation_b: string;
      weight_bits: number;
      posterior: number;
      features: components["schemas"]["EvidenceFeature"][];
    };
    IdentityEvidence: {
      identity_uuid: string;
      observations: { uuid: string; ip: string }[];
      links: components["schemas"]["EvidenceLink"][];
    };
    HistoryEntry: {
      id: number;
      observation_uuid: string;
      identity_uuid: string | null;
      previous_identity_uuid: string | null;
      action: string;
      reason: string;
      confidence: number | null;
      actor: string;
      created_at: string;
    };
    NotesUpdate: { notes: string | null };
    MergeRequest: { loser_uuid: string };
    SplitRequest: { observation_uuids: string[] };
    CannotLinkRequest: {
      subject_type: "identity" | "observation";
      subject_a: string;
      subject_b: string;
    };
    Decision: {
      id: number;
      kind: string;
      subject_type: string;
      subject_a: string;
      subject_b: string | null;
      username: string;
      created_at: string;
    };
    ErrorBody: { detail: unknown };
  };
}

type Json<T> = { content: { "application/json": T } };
type Schemas = components["schemas"];
type Errors = {
  401: Json<Schemas["ErrorBody"]>;
  404: Json<Schemas["ErrorBody"]>;
};
type UuidPath = { path: { uuid: string } };
type PageQuery = { query?: { limit?: number; offset?: number } };

export interface operations {
  login: {
    requestBody: Json<Schemas["LoginRequest"]>;
    responses: { 200: Json<Schemas["TokenResponse"]> } & Errors;
  };
  sse_ticket: {
    responses: { 200: Json<Schemas["TicketResponse"]> } & Errors;
  };
  list_identities: {
    parameters: {
      query?: { limit?: number; offset?: number; q?: string; sort?: string };
    };
    responses: { 200: Json<Schemas["IdentityPage"]> } & Errors;
  };
  get_identity: {
    parameters: UuidPath;
    responses: { 200: Json<Schemas["IdentityDetail"]> } & Errors;
  };
  list_identity_observations: {
    parameters: UuidPath & PageQuery;
    responses: { 200: Json<Schemas["AttackerPage"]> } & Errors;
  };
  get_identity_evidence: {
    parameters: UuidPath;
    responses: { 200: Json<Schemas["IdentityEvidence"]> } & Errors;
  };
  put_identity_notes: {
    parameters: UuidPath;
    requestBody: Json<Schemas["NotesUpdate"]>;
    responses: { 200: Json<Schemas["IdentityDetail"]> } & Errors;
  };
  merge_identity: {
    parameters: UuidPath;
    requestBody: Json<Schemas["MergeRequest"]>;
    responses: { 200: Json<Schemas["IdentityDetail"]> } & Errors;
  };
  split_identity: {
    parameters: UuidPath;
    requestBody: Json<Schemas["SplitRequest"]>;
    responses: { 200: Json<Schemas["IdentityDetail"]> } & Errors;
  };
  cannot_link: {
    requestBody: Json<Schemas["CannotLinkRequest"]>;
    responses: { 200: Json<Schemas["Decision"]> } & Errors;
  };
  list_attackers: {
    parameters: {
      query?: {
        limit?: number;
        offset?: number;
        ip?: string;
        identity?: string;
        resolved?: boolean;
      };
    };
    responses: { 200: Json<Schemas["AttackerPage"]> } & Errors;
  };
  get_attacker: {
    parameters: UuidPath;
    responses: { 200: Json<Schemas["AttackerDetail"]> } & Errors;
  };
  get_identity_history: {
    parameters: UuidPath;
    responses: { 200: Json<Schemas["HistoryEntry"][]> } & Errors;
  };
}
