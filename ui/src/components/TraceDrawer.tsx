import { Link } from "react-router-dom";
import type { DataClient } from "../api/data";
import type { Row, RowObjectType } from "../api/types";
import { Drawer } from "./Overlay";
import { TraceViewer } from "./TraceViewer";

export function TraceDrawer({ client, objectType, objectId, rootSpanId, base, title, onClose, knownScores, onRowReviewed, onPrev, onNext, spanId, onSpanChange }: {
  client: DataClient; objectType: RowObjectType; objectId: string; rootSpanId: string; base: string; title: string;
  onClose: () => void; knownScores?: string[]; onRowReviewed?: (r: Row) => void; onPrev?: () => void; onNext?: () => void;
  spanId?: string | null; onSpanChange?: (spanId: string) => void;
}) {
  return (
    <Drawer
      onClose={onClose}
      title={<span>Trace <span className="mono faint" style={{ fontWeight: 400, fontSize: 12 }}>{title}</span></span>}
      actions={
        <>
          {onPrev && <button className="btn ghost small" onClick={onPrev} title="Previous row">↑ Prev</button>}
          {onNext && <button className="btn ghost small" onClick={onNext} title="Next row">↓ Next</button>}
          <Link className="btn small" to={`${base}/trace/${objectType}/${objectId}/${encodeURIComponent(rootSpanId)}${spanId ? `?span=${encodeURIComponent(spanId)}` : ""}`}>Open full page</Link>
        </>
      }
    >
      <TraceViewer client={client} objectType={objectType} objectId={objectId} rootSpanId={rootSpanId} knownScores={knownScores} onRowReviewed={onRowReviewed} spanId={spanId} onSpanChange={onSpanChange} />
    </Drawer>
  );
}
