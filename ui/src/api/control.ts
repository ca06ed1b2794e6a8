// Control-plane API (contracts §3): metadata only, same origin, cookie session + CSRF header.
import { appPath } from "../lib/base";
import { readJson, UnreachableError } from "./http";
import type {
  ApiKey, AuthConfig, CreatedApiKey, DataPlaneConfig, DataPlaneToken, Me, Member, NamedObject, ObjectType,
  Org, Page, Project, Role, Secret,
} from "./types";

let csrfFromMe: string | null = null;

/** Remember the CSRF token /auth/me returned, for when the cookie is not readable. */
export function setCsrfToken(token: string | null): void {
  csrfFromMe = token;
}

export function csrfToken(cookie: string = typeof document === "undefined" ? "" : document.cookie): string | null {
  for (const part of cookie.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === "tp_csrf") return decodeURIComponent(v.join("="));
  }
  return csrfFromMe;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") {
    const csrf = csrfToken();
    if (csrf) headers["X-CSRF-Token"] = csrf;
  }
  let res: Response;
  try {
    res = await fetch(appPath(path), {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new UnreachableError("control", typeof window === "undefined" ? "" : window.location.origin, e);
  }
  return readJson<T>(res);
}

const enc = encodeURIComponent;

function qs(params: Record<string, string | number | undefined | null>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") sp.set(k, String(v));
  const s = sp.toString();
  return s ? `?${s}` : "";
}

/** Walks a cursor-paginated list to the end (lists of names are small). */
async function all<T>(path: string, params: Record<string, string | undefined> = {}): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const page: Page<T> = await call("GET", path + qs({ ...params, limit: 200, cursor }));
    out.push(...page.objects);
    cursor = page.cursor;
    if (!cursor) break;
  }
  return out;
}

export const control = {
  authConfig: () => call<AuthConfig>("GET", "/api/v1/auth/config"),
  login: (email: string, password: string) => call<unknown>("POST", "/api/v1/auth/login", { email, password }),
  logout: () => call<unknown>("POST", "/api/v1/auth/logout", {}),
  me: () => call<Me>("GET", "/api/v1/auth/me"),
  oidcStartUrl: (next?: string) => appPath("/api/v1/auth/oidc/start" + qs({ next })),

  orgs: () => all<Org>("/api/v1/orgs"),
  createOrg: (name: string) => call<Org>("POST", "/api/v1/orgs", { name }),

  members: (org: string) => all<Member>(`/api/v1/orgs/${enc(org)}/members`),
  addMember: (org: string, body: { email: string; role: Role; password?: string }) =>
    call<Member>("POST", `/api/v1/orgs/${enc(org)}/members`, body),
  setMemberRole: (org: string, userId: string, role: Role) =>
    call<Member>("PATCH", `/api/v1/orgs/${enc(org)}/members/${enc(userId)}`, { role }),
  removeMember: (org: string, userId: string) => call<unknown>("DELETE", `/api/v1/orgs/${enc(org)}/members/${enc(userId)}`),

  projects: (org: string) => all<Project>(`/api/v1/orgs/${enc(org)}/projects`),
  createProject: (org: string, name: string) => call<Project>("POST", `/api/v1/orgs/${enc(org)}/projects`, { name }),
  project: (id: string) => call<Project>("GET", `/api/v1/projects/${enc(id)}`),
  renameProject: (id: string, name: string) => call<Project>("PATCH", `/api/v1/projects/${enc(id)}`, { name }),
  /** Replaces the project's settings (send the current ones with the change). */
  updateProjectSettings: (id: string, settings: Record<string, unknown>) =>
    call<Project>("PATCH", `/api/v1/projects/${enc(id)}`, { settings }),
  objects: (projectId: string, objectType: ObjectType) =>
    all<NamedObject>(`/api/v1/projects/${enc(projectId)}/objects`, { object_type: objectType }),

  apiKeys: (org: string) => all<ApiKey>(`/api/v1/orgs/${enc(org)}/api-keys`),
  createApiKey: (org: string, body: { name: string; project_id?: string; read_only?: boolean; expires_at?: string }) =>
    call<CreatedApiKey>("POST", `/api/v1/orgs/${enc(org)}/api-keys`, body),
  revokeApiKey: (org: string, keyId: string) => call<unknown>("DELETE", `/api/v1/orgs/${enc(org)}/api-keys/${enc(keyId)}`),

  secrets: (org: string) => all<Secret>(`/api/v1/orgs/${enc(org)}/secrets`),
  createSecret: (org: string, body: { name: string; provider: string; value: string }) =>
    call<Secret>("POST", `/api/v1/orgs/${enc(org)}/secrets`, body),
  deleteSecret: (org: string, id: string) => call<unknown>("DELETE", `/api/v1/orgs/${enc(org)}/secrets/${enc(id)}`),

  dataPlane: (org: string) => call<DataPlaneConfig>("GET", `/api/v1/orgs/${enc(org)}/data-plane`),
  setDataPlane: (org: string, body: { api_url: string; proxy_url?: string | null }) =>
    call<DataPlaneConfig>("PUT", `/api/v1/orgs/${enc(org)}/data-plane`, body),
  rotateServiceToken: (org: string) =>
    call<{ token?: string; service_token?: string }>("POST", `/api/v1/orgs/${enc(org)}/data-plane/service-token`, {}),
  dataPlaneToken: (org: string) => call<DataPlaneToken>("POST", `/api/v1/orgs/${enc(org)}/data-plane-token`, {}),
};
