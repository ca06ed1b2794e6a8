// A dataset's rows with add/edit/delete, its versions, and a read-only view of any earlier version.
import { useMemo, useState } from "react";
import { useParams } from "react-router-dom";
import { newRowId } from "../api/data";
import type { Row } from "../api/types";
import { Breadcrumbs } from "../components/AppShell";
import { DataTable } from "../components/DataTable";
import { DeleteObjectButton } from "../components/DeleteObjectButton";
import { CodeBlock, EmptyState } from "../components/EmptyState";
import { describeError, ErrorNotice } from "../components/ErrorNotice";
import { FilterBar } from "../components/FilterBar";
import { JsonView } from "../components/JsonView";
import { ValueView } from "../components/ValueView";
import { Modal } from "../components/Overlay";
import { rowColumns } from "../components/RowTable";
import { SkeletonRows } from "../components/Skeleton";
import { downloadText } from "../components/download";
import { parseDatasetFile, toJsonl } from "../lib/datasetImport";
import { normalizeFilter } from "../lib/filterText";
import { formatTime, formatXact } from "../lib/format";
import { fromEditable, parseMetadata, parseTags, toEditable } from "../lib/jsonField";
import { useProject } from "../state/scope";
import { useAsync } from "../state/useAsync";
import { useRowQuery } from "../state/useRowQuery";
import { useUrlState } from "../state/useUrlState";

function RowEditor({ row, onClose, onSave }: { row: Row | null; onClose: () => void; onSave: (r: Partial<Row>) => Promise<void> }) {
  const [input, setInput] = useState(toEditable(row?.input));
  const [expected, setExpected] = useState(toEditable(row?.expected));
  const [metadata, setMetadata] = useState(row?.metadata ? JSON.stringify(row.metadata, null, 2) : "");
  const [tags, setTags] = useState((row?.tags ?? []).join(", "));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function save() {
    const md = parseMetadata(metadata);
    if (!md.ok) return setError(md.error);
    setBusy(true);
    setError(null);
    try {
      await onSave({ id: row?.id ?? newRowId(), input: fromEditable(input), expected: fromEditable(expected), metadata: md.value, tags: parseTags(tags) });
      onClose();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal onClose={onClose} title={row ? "Edit row" : "Add row"} footer={
      <><button className="btn" onClick={onClose}>Cancel</button><button className="btn primary" disabled={busy} onClick={save} data-testid="save-row">{busy ? "Saving…" : "Save"}</button></>
    }>
      <p className="muted" style={{ fontSize: 12.5, margin: 0 }}>Values are JSON; text that is not valid JSON is saved as a string.</p>
      <label className="field">Input<textarea className="input mono" rows={5} value={input} onChange={(e) => setInput(e.target.value)} name="input" autoFocus /></label>
      <label className="field">Expected<textarea className="input mono" rows={4} value={expected} onChange={(e) => setExpected(e.target.value)} name="expected" /></label>
      <label className="field">Metadata (JSON object)<textarea className="input mono" rows={3} value={metadata} onChange={(e) => setMetadata(e.target.value)} name="metadata" /></label>
      <label className="field">Tags (comma-separated)<input className="input" value={tags} onChange={(e) => setTags(e.target.value)} name="tags" /></label>
      {error && <div className="notice error">{error}</div>}
    </Modal>
  );
}

export default function Dataset() {
  const { datasetId = "" } = useParams();
  const { org, project, data, base } = useProject();
  const [get, set] = useUrlState();
  const version = get("version");
  const filter = get("filter");
  const search = get("search");
  const [editing, setEditing] = useState<Row | null | "new">(null);
  const [selected, setSelected] = useState(-1);
  const [opError, setOpError] = useState<string | null>(null);
  const [showCode, setShowCode] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const canWrite = org.role !== "viewer" && !version;

  const meta = useAsync(() => data.getDataset(datasetId), [datasetId, data]);
  const versions = useAsync(() => data.datasetVersions(datasetId), [datasetId, data]);
  const ds = meta.data;
  const req = useMemo(() => ({
    object_type: "dataset" as const, object_id: datasetId,
    filter: normalizeFilter(filter) || undefined, search: search.trim() || undefined, version: version || undefined,
  }), [datasetId, filter, search, version]);
  const q = useRowQuery(data, req);
  const columns = useMemo(() => rowColumns({ scores: [], output: false, expected: true, metadata: true, tags: true, timing: false, created: true }), []);
  const current = selected >= 0 ? q.rows[selected] : undefined;

  async function write(events: Partial<Row>[]) {
    await data.insert("dataset", datasetId, events);
    q.reload();
    versions.reload();
  }
  async function importFile(file: File) {
    setOpError(null);
    setNotice(null);
    const { rows, errors } = parseDatasetFile(await file.text());
    if (errors.length) {
      setOpError(`Not imported: ${errors.slice(0, 5).join("; ")}${errors.length > 5 ? ` (and ${errors.length - 5} more)` : ""}`);
      return;
    }
    try {
      for (let i = 0; i < rows.length; i += 500) {
        setNotice(`Importing ${Math.min(i + 500, rows.length).toLocaleString()} of ${rows.length.toLocaleString()} rows…`);
        await data.insert("dataset", datasetId, rows.slice(i, i + 500).map((r) => ({ ...r, id: r.id ?? newRowId() })));
      }
      setNotice(`Imported ${rows.length.toLocaleString()} rows as a new version.`);
      q.reload();
      versions.reload();
    } catch (e) {
      setNotice(null);
      setOpError(describeError(e));
    }
  }

  async function remove(r: Row) {
    if (!window.confirm("Delete this row? Earlier versions keep it.")) return;
    setOpError(null);
    try {
      await write([{ id: r.id, _object_delete: true }]);
      setSelected(-1);
    } catch (e) {
      setOpError(describeError(e));
    }
  }

  const vlist = [...(versions.data ?? [])].sort((a, b) => (a._xact_id < b._xact_id ? 1 : -1));
  return (
    <div className="page flush" style={{ flexDirection: "row" }}>
      <div style={{ flex: 1, minWidth: 0, display: "flex", flexDirection: "column" }}>
        <div style={{ padding: "16px 20px 10px" }}>
          <Breadcrumbs items={[{ label: project.name, to: `${base}/experiments` }, { label: "Datasets", to: `${base}/datasets` }, { label: ds?.name ?? "Dataset" }]} />
          <div className="page-header" style={{ marginBottom: 0 }}>
            <div className="grow"><h1>{ds?.name ?? "Dataset"}</h1>{ds?.description && <div className="sub">{ds.description}</div>}</div>
            <button className="btn" onClick={() => setShowCode(true)}>Use in code</button>
            <button className="btn" onClick={() => downloadText(`${ds?.name ?? "dataset"}${version ? `@${version}` : ""}.jsonl`, toJsonl(q.rows, ["id", "input", "expected", "metadata", "tags"]))}
              disabled={q.rows.length === 0} title={q.hasMore ? "Exports the rows loaded so far" : undefined}>Export</button>
            {canWrite && (
              <label className="btn" title="JSONL (one object per line) or a JSON array; fields input, expected, metadata, tags, id">
                Import
                <input type="file" accept=".jsonl,.json,.ndjson,application/json" style={{ display: "none" }} data-testid="import-file"
                  onChange={async (e) => {
                    const file = e.target.files?.[0];
                    e.target.value = "";
                    if (file) await importFile(file);
                  }} />
              </label>
            )}
            {canWrite && <button className="btn primary" onClick={() => setEditing("new")} data-testid="add-row">+ Add row</button>}
            {canWrite && ds && <DeleteObjectButton data={data} objectType="dataset" id={datasetId} name={ds.name} then={`${base}/datasets`} />}
          </div>
        </div>
        {version && (
          <div className="notice warn" style={{ margin: "0 20px 10px" }}>
            Viewing version <span className="mono">{formatXact(version)}</span> (read-only).{" "}
            <button className="btn small" onClick={() => set({ version: null })}>Back to current</button>
          </div>
        )}
        {opError && <div className="notice error" style={{ margin: "0 20px 10px" }}>{opError}</div>}
        {notice && <div className="notice" style={{ margin: "0 20px 10px" }} data-testid="import-notice">{notice}</div>}
        <FilterBar filter={filter} search={search} error={q.filterError} onFilter={(f) => set({ filter: f })} onSearch={(s) => set({ search: s })} />
        {q.error != null && <div style={{ padding: 16 }}><ErrorNotice error={q.error} onRetry={q.reload} /></div>}
        {q.loading && q.rows.length === 0 && !q.error && <SkeletonRows rows={10} cols={4} />}
        {!q.loading && !q.error && q.rows.length === 0 && (
          <EmptyState title={filter || search ? "No rows match" : "This dataset is empty"}
            action={canWrite && !filter && !search ? <button className="btn primary" onClick={() => setEditing("new")}>Add the first row</button> : undefined}>
            <p>{filter || search ? "Clear the filter or search to see all rows." : "Rows hold an input and, optionally, the expected output and metadata."}</p>
          </EmptyState>
        )}
        {q.rows.length > 0 && (
          <div style={{ flex: 1, minHeight: 0, display: "flex" }}>
            <DataTable
              testId="dataset-table" rows={q.rows} columns={columns} rowKey={(r) => r.id}
              selected={selected} onSelect={setSelected} onOpen={(_r, i) => setSelected(i)}
              onEndReached={q.loadMore} hasMore={q.hasMore} loadingMore={q.loadingMore} keyboard busy={q.loading}
              footer={<span>{q.rows.length.toLocaleString()}{q.hasMore ? "+" : ""} rows</span>}
            />
            {current && (
              <div style={{ width: 380, flex: "none", borderLeft: "1px solid var(--border)", overflow: "auto" }} data-testid="row-detail">
                <div className="row-flex" style={{ padding: "10px 16px" }}>
                  <b className="ellipsis mono" style={{ flex: 1, fontSize: 12 }}>{current.id}</b>
                  {canWrite && <button className="btn small" onClick={() => setEditing(current)} data-testid="edit-row">Edit</button>}
                  {canWrite && <button className="btn small danger" onClick={() => remove(current)}>Delete</button>}
                  <button className="btn ghost small" onClick={() => setSelected(-1)} aria-label="close">✕</button>
                </div>
                <div className="section"><div className="section-title">Input</div><ValueView value={current.input} /></div>
                <div className="section"><div className="section-title">Expected</div><ValueView value={current.expected} /></div>
                <div className="section"><div className="section-title">Metadata</div><JsonView value={current.metadata ?? undefined} /></div>
                <div className="section faint" style={{ fontSize: 12 }}>version {formatXact(current._xact_id)} · {formatTime(current.created)}</div>
              </div>
            )}
          </div>
        )}
      </div>
      <aside style={{ width: 240, borderLeft: "1px solid var(--border)", overflow: "auto", background: "var(--bg-subtle)" }} data-testid="versions">
        <div style={{ padding: "16px 14px 8px" }}><h3>Versions</h3></div>
        {versions.error != null && <div style={{ padding: 10 }}><ErrorNotice error={versions.error} /></div>}
        <button className={`navlink${!version ? " active" : ""}`} style={{ width: "calc(100% - 16px)", margin: "0 8px", border: 0, background: !version ? undefined : "none", cursor: "pointer", font: "inherit" }}
          onClick={() => set({ version: null })}>Current</button>
        {vlist.map((v) => (
          <button key={v._xact_id} className={`navlink${version === v._xact_id ? " active" : ""}`}
            style={{ width: "calc(100% - 16px)", margin: "0 8px", border: 0, background: version === v._xact_id ? undefined : "none", cursor: "pointer", font: "inherit", flexDirection: "column", alignItems: "flex-start", gap: 0 }}
            onClick={() => set({ version: v._xact_id })}>
            <span>{formatTime(v.created)}</span>
            <span className="faint mono" style={{ fontSize: 11 }}>{formatXact(v._xact_id)}{typeof v.rows_changed === "number" ? ` · ${v.rows_changed} changed` : ""}</span>
          </button>
        ))}
      </aside>
      {showCode && (
        <Modal onClose={() => setShowCode(false)} title="Use this dataset in an evaluation">
          <CodeBlock code={`import twinplane\nfrom twinplane import Eval\nfrom twinplane.scorers import Levenshtein\n\nEval(${JSON.stringify(project.name || "my-project")},\n     data=twinplane.init_dataset(${JSON.stringify(project.name || "my-project")}, ${JSON.stringify(ds?.name ?? "dataset")}${version ? `, version=${JSON.stringify(version)}` : ""}),\n     task=lambda input: my_app(input),\n     scores=[Levenshtein])`} />
          <p className="muted" style={{ margin: 0 }}>Each experiment records the dataset version it ran on{version ? "; this one is pinned to the version you are viewing" : ""}.</p>
        </Modal>
      )}
      {editing && (
        <RowEditor row={editing === "new" ? null : editing} onClose={() => setEditing(null)} onSave={(r) => write([r])} />
      )}
    </div>
  );
}
