import { useParams, useSearchParams } from "react-router-dom";
import type { RowObjectType } from "../api/types";
import { Breadcrumbs } from "../components/AppShell";
import { ErrorNotice } from "../components/ErrorNotice";
import { TraceViewer } from "../components/TraceViewer";
import { useProject } from "../state/scope";

const TYPES: RowObjectType[] = ["experiment", "project_logs", "dataset"];

export default function TracePage() {
  const { objectType = "", objectId = "", rootSpanId = "" } = useParams();
  const { project, data, base } = useProject();
  const [params, setParams] = useSearchParams();
  if (!TYPES.includes(objectType as RowObjectType)) {
    return <div className="page"><ErrorNotice error={new Error(`Unknown object type "${objectType}".`)} /></div>;
  }
  const back = objectType === "experiment" ? { label: "Experiment", to: `${base}/experiments/${objectId}` }
    : objectType === "project_logs" ? { label: "Logs", to: `${base}/logs` } : { label: "Dataset", to: `${base}/datasets/${objectId}` };
  return (
    <div className="page flush">
      <div style={{ padding: "14px 20px 10px", borderBottom: "1px solid var(--border)" }}>
        <Breadcrumbs items={[{ label: project.name, to: `${base}/experiments` }, back, { label: "Trace" }]} />
        <h1 style={{ fontSize: 17 }}>Trace <span className="mono faint" style={{ fontSize: 13, fontWeight: 400 }}>{rootSpanId}</span></h1>
      </div>
      <TraceViewer client={data} objectType={objectType as RowObjectType} objectId={objectId} rootSpanId={rootSpanId}
        spanId={params.get("span")} onSpanChange={(span) => setParams({ span }, { replace: true })} />
    </div>
  );
}
