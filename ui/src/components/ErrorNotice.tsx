// Errors a user can act on: what failed, and what to try next.
import { Link } from "react-router-dom";
import { ApiError, UnreachableError } from "../api/http";
import { NoDataPlaneError } from "../api/token";
import { appPath, routePath } from "../lib/base";

export function describeError(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof UnreachableError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (error instanceof NoDataPlaneError) {
    const org = /^\/o\/([^/]+)/.exec(routePath(window.location.pathname))?.[1];
    return (
      <div className="notice warn" role="alert">
        <div className="title">No data plane yet</div>
        <div>Rows, traces, datasets and prompts live in your organization's data plane, and none is registered.</div>
        {org && <Link className="btn small" style={{ marginTop: 8 }} to={`/o/${org}/settings/data-plane`}>Set up the data plane</Link>}
      </div>
    );
  }
  if (error instanceof UnreachableError && error.plane === "data") {
    const origin = window.location.origin;
    return (
      <div className="notice error" role="alert">
        <div className="title">The data plane is unreachable</div>
        <div>
          Your browser could not connect to <code>{error.url || "(no data plane URL configured)"}</code>. Row data is
          fetched from it directly, never through this server.
        </div>
        <ul>
          <li>Check that the data plane is running and that this URL is right (Settings → Data plane).</li>
          <li>
            CORS: the data plane must allow the origin <code>{origin}</code> (its allowed origins come from the
            control plane).
          </li>
          <li>
            Private network: if it runs inside a VPN or private network, connect to it first; browsers may also block
            pages from reaching private addresses.
          </li>
        </ul>
        {onRetry && <button className="btn small" style={{ marginTop: 8 }} onClick={onRetry}>Try again</button>}
      </div>
    );
  }
  if (error instanceof ApiError) {
    if (error.status === 401 && error.plane === "control") {
      const next = encodeURIComponent(routePath(window.location.pathname) + window.location.search);
      return (
        <div className="notice error" role="alert">
          <div className="title">Your session has ended</div>
          <div>Sign in again to continue where you were.</div>
          <a className="btn small" style={{ marginTop: 8 }} href={appPath(`/login?next=${next}`)}>Sign in</a>
        </div>
      );
    }
    const hint =
      error.status === 401 ? "The data plane refused this browser's token: check that it trusts this control plane and serves this organization."
        : error.status === 403 ? "Your role does not allow this. Ask an org admin."
          : error.status === 404 ? "It may have been deleted, or the link is wrong."
            : error.status === 429 ? "Too many requests. Wait a moment and retry."
              : error.status >= 500 ? "The server failed. Retry, and check its logs if it persists." : null;
    return (
      <div className="notice error" role="alert">
        <div className="title">{error.message}</div>
        {hint && <div>{hint}</div>}
        {onRetry && <button className="btn small" style={{ marginTop: 8 }} onClick={onRetry}>Try again</button>}
      </div>
    );
  }
  return (
    <div className="notice error" role="alert">
      <div className="title">Something went wrong</div>
      <div>{describeError(error)}</div>
      {onRetry && <button className="btn small" style={{ marginTop: 8 }} onClick={onRetry}>Try again</button>}
    </div>
  );
}
