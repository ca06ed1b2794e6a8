// Data-plane API (contracts §4): every row, trace, dataset record, prompt and score comes
// from here, straight from the browser, with a short-lived bearer token. Never through the
// control plane.
import { ApiError, readJson, UnreachableError } from "./http";
import { TokenManager } from "./token";
import type {
  AggregateRequest, CompareResult, DatasetMeta, DatasetVersion, ErasureReceipt, ExperimentMeta, ExperimentSummary, Prompt,
  QueryRequest, Row, RowObjectType, RowPage,
} from "./types";

const enc = encodeURIComponent;
const ROW_TYPES: readonly RowObjectType[] = ["experiment", "dataset", "project_logs"];

/** Object types come from URLs too: only known ones may become a path segment. */
function rowType(t: RowObjectType): RowObjectType {
  if (!ROW_TYPES.includes(t)) throw new Error(`unknown object type ${JSON.stringify(t)}`);
  return t;
}

export interface HealthResult { ok: boolean; status?: number; url: string; error?: string; ms: number }

export class DataClient {
  constructor(readonly tokens: TokenManager) {}

  private async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal, retried = false): Promise<T> {
    const held = await this.tokens.get();
    const url = held.dataPlaneUrl + path;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        signal,
        mode: "cors",
        credentials: "omit", // the data plane takes bearer tokens, never cookies
        headers: {
          Authorization: `Bearer ${held.token}`,
          Accept: "application/json",
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      if (signal?.aborted) throw e;
      throw new UnreachableError("data", held.dataPlaneUrl, e);
    }
    if (res.status === 401 && !retried) {
      // The token may have been rotated or the clock jumped: mint a new one, once.
      this.tokens.invalidate();
      return this.request<T>(method, path, body, signal, true);
    }
    return readJson<T>(res, "data");
  }

  listExperiments(projectId: string) {
    return this.request<{ objects: ExperimentMeta[] }>("GET", `/v1/experiment?project_id=${enc(projectId)}`).then((r) => r.objects);
  }
  getExperiment(id: string) {
    return this.request<ExperimentMeta & { dataset_version?: string | null }>("GET", `/v1/experiment/${enc(id)}`);
  }
  getDataset(id: string) {
    return this.request<DatasetMeta>("GET", `/v1/dataset/${enc(id)}`);
  }
  listDatasets(projectId: string) {
    return this.request<{ objects: DatasetMeta[] }>("GET", `/v1/dataset?project_id=${enc(projectId)}`).then((r) => r.objects);
  }
  /** Purges an experiment, a dataset, a prompt or a whole project for good: rows, versions, search entries; names
   * released. */
  deleteObject(objectType: "experiment" | "dataset" | "prompt" | "project", id: string) {
    return this.request<{ id: string; deleted_at: string | null }>("DELETE", `/v1/${objectType}/${enc(id)}`);
  }
  /** Erases a data subject's rows (a filter naming them) everywhere, or in one project; answers the receipt. */
  erase(filter: string, projectId?: string | null) {
    return this.request<ErasureReceipt>("POST", `/v1/erasure`, { filter, ...(projectId ? { project_id: projectId } : {}) });
  }
  erasureReceipts() {
    return this.request<{ objects: ErasureReceipt[] }>("GET", `/v1/erasure`).then((r) => r.objects);
  }
  createDataset(projectId: string, name: string, description?: string) {
    return this.request<DatasetMeta>("POST", `/v1/dataset`, { project_id: projectId, name, description });
  }
  listPrompts(projectId: string) {
    return this.request<{ objects: Prompt[] }>("GET", `/v1/prompt?project_id=${enc(projectId)}`).then((r) => r.objects);
  }
  getPrompt(id: string, version?: string) {
    return this.request<Prompt>("GET", `/v1/prompt/${enc(id)}${version ? `?version=${enc(version)}` : ""}`);
  }
  promptVersions(id: string) {
    return this.request<{ versions: Prompt[] }>("GET", `/v1/prompt/${enc(id)}/versions`).then((r) => r.versions);
  }
  savePrompt(body: Partial<Prompt> & { project_id: string; name: string; slug: string }) {
    return this.request<Prompt>("POST", `/v1/prompt`, body);
  }

  query(req: QueryRequest, signal?: AbortSignal) {
    return this.request<RowPage>("POST", "/v1/query", req, signal);
  }
  aggregate(req: AggregateRequest, signal?: AbortSignal) {
    return this.request<{ data: Record<string, unknown>[] }>("POST", "/v1/aggregate", req, signal).then((r) => r.data);
  }
  async trace(objectType: RowObjectType, objectId: string, rootSpanId: string, cursor?: string | null, limit = 1000, signal?: AbortSignal) {
    const q = new URLSearchParams({ limit: String(limit) });
    if (cursor) q.set("cursor", cursor);
    return this.request<RowPage>(
      "GET", `/v1/${rowType(objectType)}/${enc(objectId)}/trace/${enc(rootSpanId)}?${q}`, undefined, signal,
    );
  }
  summarize(experimentId: string, comparisonId?: string | null, signal?: AbortSignal) {
    const q = new URLSearchParams({ summarize_scores: "true" });
    if (comparisonId) q.set("comparison_experiment_id", comparisonId);
    return this.request<ExperimentSummary>("GET", `/v1/experiment/${enc(experimentId)}/summarize?${q}`, undefined, signal);
  }
  compare(experimentId: string, withIds: string[], signal?: AbortSignal) {
    const q = new URLSearchParams();
    for (const w of withIds) q.append("with", w);
    return this.request<CompareResult>("GET", `/v1/experiment/${enc(experimentId)}/compare?${q}`, undefined, signal);
  }
  datasetVersions(id: string) {
    return this.request<{ versions: DatasetVersion[] }>("GET", `/v1/dataset/${enc(id)}/versions`).then((r) => r.versions);
  }
  async insert(objectType: RowObjectType, objectId: string, events: Partial<Row>[]) {
    return this.request<{ row_ids: string[] }>("POST", `/v1/${rowType(objectType)}/${enc(objectId)}/insert`, { events });
  }

  /**
   * Live connection check for Settings: reachability and CORS (GET /healthz), then whether
   * the data plane accepts this browser's token (an authenticated read).
   */
  async health(): Promise<HealthResult> {
    const started = performance.now();
    let url = this.tokens.knownUrl ?? "";
    try {
      const held = await this.tokens.get();
      url = held.dataPlaneUrl;
      const init: RequestInit = { mode: "cors", credentials: "omit", headers: { Authorization: `Bearer ${held.token}` } };
      const res = await fetch(`${url}/healthz`, init);
      if (!res.ok) return { ok: false, status: res.status, url, ms: performance.now() - started, error: `healthz answered HTTP ${res.status}` };
      const auth = await fetch(`${url}/v1/project`, init);
      if (!auth.ok) {
        return { ok: false, status: auth.status, url, ms: performance.now() - started,
          error: `It is reachable, but refused this browser's token (HTTP ${auth.status}).` };
      }
      return { ok: true, status: auth.status, url, ms: performance.now() - started };
    } catch (e) {
      const msg = e instanceof ApiError ? e.message : "The browser could not connect (network error, CORS or private-network block).";
      return { ok: false, url, error: msg, ms: performance.now() - started };
    }
  }
}

export function newRowId(): string {
  return crypto.randomUUID();
}
