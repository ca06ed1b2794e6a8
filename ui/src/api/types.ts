// Shapes of what the two planes answer (docs/internals/contracts.md §3, §4).

export type Role = "owner" | "admin" | "editor" | "viewer";

export interface User { id: string; email: string; name?: string | null }
export interface OrgRef { id: string; name: string; role: Role }
export interface Me { user: User; orgs: OrgRef[]; csrf_token: string }
export interface AuthConfig { oidc: { enabled: boolean; display_name?: string | null } }

export interface Page<T> { objects: T[]; cursor: string | null }

export interface Org { id: string; name: string; created?: string }
export interface Member { id?: string; user_id: string; email: string; name?: string | null; role: Role; created?: string }
export interface Project { id: string; org_id: string; name: string; created?: string; settings?: Record<string, unknown> | null }
export type ObjectType = "experiment" | "dataset" | "prompt";
export interface NamedObject { id: string; object_type: ObjectType; project_id: string; name: string; slug?: string | null; created?: string }

export interface ApiKey {
  id: string; name: string; prefix: string; last4: string; created_by?: string | null; created?: string;
  last_used?: string | null; expires_at?: string | null; project_id?: string | null; read_only?: boolean; revoked?: boolean;
}
export interface CreatedApiKey extends ApiKey { key: string }
export interface Secret { id: string; name: string; provider: string; masked: string; created?: string; updated?: string }
export interface DataPlaneConfig { id?: string; api_url: string | null; proxy_url?: string | null }
export interface DataPlaneToken { token: string; expires_at: string; data_plane_url: string; data_plane_id?: string }

// ---- data plane ----

export type RowObjectType = "experiment" | "dataset" | "project_logs";

export interface RepoInfo {
  commit?: string | null; branch?: string | null; tag?: string | null; dirty?: boolean | null;
  author_name?: string | null; author_email?: string | null; commit_message?: string | null; commit_time?: string | null;
}

export interface ExperimentMeta {
  id: string; name: string; project_id: string; description?: string | null; created?: string; user_id?: string | null;
  repo_info?: RepoInfo | null; metadata?: Record<string, unknown> | null; tags?: string[] | null;
  base_exp_id?: string | null; dataset_id?: string | null;
}
export interface DatasetMeta { id: string; name: string; project_id: string; description?: string | null; created?: string; metadata?: Record<string, unknown> | null }

export interface Row {
  id: string;
  _xact_id?: string;
  created?: string;
  span_id?: string;
  root_span_id?: string;
  span_parents?: string[] | null;
  input?: unknown;
  output?: unknown;
  expected?: unknown;
  error?: unknown;
  scores?: Record<string, number | null> | null;
  metadata?: Record<string, unknown> | null;
  metrics?: Record<string, number | null> | null;
  tags?: string[] | null;
  span_attributes?: { name?: string; type?: string; [k: string]: unknown } | null;
  origin?: { id?: string; [k: string]: unknown } | null;
  comment?: { text?: string } | null;
  comments?: Row[];
  span_count?: number;
  [k: string]: unknown;
}

export interface SortSpec { field: string; dir: "asc" | "desc" }

export interface QueryRequest {
  object_type: RowObjectType;
  object_id: string;
  filter?: string;
  search?: string;
  sort?: SortSpec[];
  limit?: number;
  cursor?: string | null;
  roots_only?: boolean;
  version?: string;
}
export interface RowPage { data: Row[]; cursor: string | null }

export interface SummaryItem { name: string; score?: number; metric?: number; unit?: string; diff?: number; improvements?: number; regressions?: number }
export interface ExperimentSummary {
  project_name?: string; experiment_name?: string; comparison_experiment_name?: string | null;
  scores?: Record<string, SummaryItem> | null; metrics?: Record<string, SummaryItem> | null;
}

export interface CompareRow { id: string; root_span_id: string; output?: unknown; expected?: unknown; scores?: Record<string, number | null> | null; metrics?: Record<string, number | null> | null }
export interface CompareCase { key: string; input?: unknown; rows: Record<string, CompareRow | undefined>; diffs?: Record<string, number | null> }
export interface CompareScore { name: string; experiments?: Record<string, number | null> }
export interface CompareResult { cases: CompareCase[]; scores: (string | CompareScore)[] }

export interface DatasetVersion { _xact_id: string; created?: string; rows_changed?: number }

export interface ChatMessage { role: string; content: unknown; name?: string; tool_calls?: unknown }
export interface PromptData {
  prompt?: { type: "chat"; messages: ChatMessage[]; tools?: unknown } | { type: "completion"; content: string } | null;
  options?: { model?: string; params?: Record<string, unknown>; position?: unknown } | null;
}
export interface Prompt {
  id: string; project_id: string; _xact_id?: string; name: string; slug: string; description?: string | null;
  tags?: string[] | null; prompt_data?: PromptData | null; created?: string; metadata?: Record<string, unknown> | null;
}

export interface AggregateRequest {
  object_type: RowObjectType;
  object_id?: string;
  object_ids?: string[];
  filter?: string;
  group_by: (string | { bucket: string; interval: string })[];
  measures: { fn: "count" | "sum" | "mean" | "min" | "max" | "p50" | "p95" | "p99"; field?: string; alias?: string }[];
}

export interface ErasureReceipt {
  id: string; object: "erasure_receipt"; requested_at: string; completed_at: string;
  requested_by: { user_id?: string | null; key_id?: string | null }; project_id: string | null;
  filter_sha256: string; objects: { object_type: string; object_id: string; project_id: string; rows: number }[];
  rows: number; attachments: number; stores: string[];
}
