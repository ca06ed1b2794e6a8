import type { ReactNode } from "react";
import { CopyButton } from "./CopyButton";
import { basePath } from "../lib/base";

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty">
      <h2>{title}</h2>
      {children}
      {action && <div style={{ marginTop: 16 }}>{action}</div>}
    </div>
  );
}

/** How the SDK finds this deployment; shown under the first-use snippets. */
export function SdkEnvHint() {
  return (
    <p className="muted" style={{ fontSize: 12.5 }}>
      The SDK reads <code>TWINPLANE_API_KEY</code> (create one in Settings → API keys) and{" "}
      <code>TWINPLANE_APP_URL={typeof window === "undefined" ? "" : window.location.origin + basePath()}</code>.
    </p>
  );
}

export function CodeBlock({ code }: { code: string }) {
  return (
    <div className="code-block">
      <span className="copy"><CopyButton text={code} /></span>
      {code}
    </div>
  );
}

/** The three lines that get a first trace into a project. */
export function LoggingSnippet({ project: name }: { project: string }) {
  const project = name || "my-project";
  const code = `pip install twinplane\n\nimport twinplane\nlogger = twinplane.init_logger(${JSON.stringify(project)})\n\n@twinplane.traced\ndef answer(question: str) -> str:\n    ...`;
  return <><CodeBlock code={code} /><SdkEnvHint /></>;
}

export function EvalSnippet({ project: name }: { project: string }) {
  const project = name || "my-project";
  const code = `pip install twinplane\n\nfrom twinplane import Eval\nfrom twinplane.scorers import Levenshtein\n\nEval(${JSON.stringify(project)},\n     data=lambda: [{"input": "Foo", "expected": "Hi Foo"}],\n     task=lambda input: "Hi " + input,\n     scores=[Levenshtein])`;
  return <><CodeBlock code={code} /><SdkEnvHint /></>;
}
