import { useEffect, useState } from "react";
import { Navigate, useSearchParams } from "react-router-dom";
import { control } from "../api/control";
import { ApiError } from "../api/http";
import type { AuthConfig } from "../api/types";
import { describeError } from "../components/ErrorNotice";
import { appPath } from "../lib/base";
import { safeNext } from "../lib/redirect";
import { useSession } from "../state/session";

export default function SignIn() {
  const { me } = useSession();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(params.get("error"));
  const [busy, setBusy] = useState(false);
  const [config, setConfig] = useState<AuthConfig | null>(null);

  useEffect(() => {
    control.authConfig().then(setConfig, () => setConfig(null));
  }, []);

  if (me) return <Navigate to={next} replace />;

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await control.login(email, password);
      // A full page load, not a client-side route change: the signed-in page gets the
      // control plane's narrow Content-Security-Policy (connect-src = this user's data planes).
      window.location.assign(appPath(next));
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? "Wrong email or password." : describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="signin">
      <div className="card">
        <div className="row-flex" style={{ marginBottom: 18 }}>
          <img src={appPath("/favicon.svg")} alt="" width={28} height={28} />
          <span style={{ fontWeight: 650, fontSize: 16 }}>Twinplane</span>
        </div>
        <h1>Sign in</h1>
        <p className="muted" style={{ marginBottom: 18 }}>Evaluate and observe your LLM applications.</p>
        <form className="stack" onSubmit={submit}>
          <label className="field">Email
            <input className="input" type="email" autoComplete="username" required autoFocus value={email} onChange={(e) => setEmail(e.target.value)} name="email" />
          </label>
          <label className="field">Password
            <input className="input" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} name="password" />
          </label>
          {error && <div className="notice error" role="alert">{error}</div>}
          <button className="btn primary" type="submit" disabled={busy} style={{ justifyContent: "center", height: 34 }}>
            {busy ? "Signing in…" : "Sign in"}
          </button>
        </form>
        {config?.oidc.enabled && (
          <>
            <div className="divider">or</div>
            <a className="btn" style={{ width: "100%", justifyContent: "center", height: 34 }} href={control.oidcStartUrl(next)}>
              Continue with {config.oidc.display_name || "single sign-on"}
            </a>
          </>
        )}
      </div>
    </div>
  );
}
