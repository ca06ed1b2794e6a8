// Deletes an experiment or a dataset for good, after asking. The data plane purges its rows,
// versions, scores and search entries and releases its name; the page then goes back to the list.
import { useState } from "react";
import { useNavigate } from "react-router-dom";
import type { DataClient } from "../api/data";
import { describeError } from "./ErrorNotice";

export function DeleteObjectButton({ data, objectType, id, name, then }: {
  data: DataClient; objectType: "experiment" | "dataset"; id: string; name: string; then: string;
}) {
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const remove = async () => {
    const what = objectType === "experiment" ? "its traces, scores and comments" : "every row and every version";
    if (!window.confirm(`Delete ${objectType} "${name}"? This removes ${what} for good.`)) return;
    setBusy(true);
    setError(null);
    try {
      await data.deleteObject(objectType, id);
      navigate(then);
    } catch (e) {
      setError(describeError(e));
      setBusy(false);
    }
  };
  return (
    <>
      <button className="btn danger" disabled={busy} onClick={() => void remove()} data-testid={`delete-${objectType}`}>
        {busy ? "Deleting…" : "Delete"}
      </button>
      {error && <span className="notice error" role="alert" style={{ margin: 0, padding: "4px 8px" }}>{error}</span>}
    </>
  );
}
