// The one place that turns HTTP answers into values or typed errors.
// Both planes answer errors as {"error": {"code", "message"}}.

export type Plane = "control" | "data";

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly plane: Plane;
  constructor(status: number, code: string, message: string, plane: Plane = "control") {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.plane = plane;
  }
}

/** The browser could not reach a server at all (DNS, refused, CORS, private network). */
export class UnreachableError extends Error {
  readonly url: string;
  readonly plane: "control" | "data";
  constructor(plane: "control" | "data", url: string, cause: unknown) {
    super(`Could not reach the ${plane === "data" ? "data plane" : "control plane"} at ${url}`);
    this.name = "UnreachableError";
    this.url = url;
    this.plane = plane;
    this.cause = cause;
  }
}

export async function errorFromResponse(res: Response, plane: Plane = "control"): Promise<ApiError> {
  let code = `http_${res.status}`;
  let message = res.statusText || `HTTP ${res.status}`;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string }; detail?: unknown };
    if (body && typeof body === "object" && body.error) {
      code = body.error.code ?? code;
      message = body.error.message ?? message;
    } else if (body && typeof body.detail === "string") {
      message = body.detail;
    }
  } catch {
    // Not JSON: keep the status text.
  }
  return new ApiError(res.status, code, message, plane);
}

export async function readJson<T>(res: Response, plane: Plane = "control"): Promise<T> {
  if (!res.ok) throw await errorFromResponse(res, plane);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export function isAbort(e: unknown): boolean {
  return e instanceof DOMException && e.name === "AbortError";
}
