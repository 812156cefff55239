/** Query keys, one tree per resource, so events can target what they change. */
export const identityKeys = {
  all: ["identities"] as const,
  lists: () => [...identityKeys.all, "list"] as const,
  list: (params: object) => [...identityKeys.lists(), params] as const,
  details: () => [...identityKeys.all, "detail"] as const,
  detail: (uuid: string) => [...identityKeys.details(), uuid] as const,
  observations: (uuid: string, params?: object) =>
    params
      ? ([...identityKeys.all, "observations", uuid, params] as const)
      : ([...identityKeys.all, "observations", uuid] as const),
  evidence: (uuid: string) => [...identityKeys.all, "evidence", uuid] as const,
};

export const campaignKeys = {
  all: ["campaigns"] as const,
  lists: () => [...campaignKeys.all, "list"] as const,
  list: (params: object) => [...campaignKeys.lists(), params] as const,
  detail: (uuid: string) => [...campaignKeys.all, "detail", uuid] as const,
  identities: (uuid: string, params: object) =>
    [...campaignKeys.all, "identities", uuid, params] as const,
};

export const attackerKeys = {
  all: ["attackers"] as const,
  lists: () => [...attackerKeys.all, "list"] as const,
  list: (params: object) => [...attackerKeys.lists(), params] as const,
  detail: (uuid: string) => [...attackerKeys.all, "detail", uuid] as const,
  history: (uuid: string) => [...attackerKeys.all, "history", uuid] as const,
};
