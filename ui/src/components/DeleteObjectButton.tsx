// Deletes an experiment, a dataset, a prompt or a whole project for good, after asking (a project: by typing
// its name). The data plane purges the rows, versions, scores and search entries and releases the
// names; then the page goes to `then`, or `onDeleted` runs.
import { useNavigate } from "react-router-dom";
import type { DataClient } from "../api/data";
import { useAction } from "../state/useAction";

type Deletable = "experiment" | "dataset" | "prompt" | "project";

const WHAT: Record<Deletable, string> = {
  experiment: "its traces, scores and comments",
  dataset: "every row and every version",
  prompt: "every version of it (code loading it by slug stops finding it)",
  project: "all its logs, experiments, datasets and prompts",
};

function confirmed(objectType: Deletable, name: string): boolean {
  const question = `Delete ${objectType} "${name}"? This removes ${WHAT[objectType]} for good.`;
  if (objectType !== "project") return window.confirm(question);
  return window.prompt(`${question}\n\nType the project's name to confirm.`) === name;
}

/** `inCard`: a small, quiet button that shows on the card's hover or focus (a list of cards). */
export function DeleteObjectButton({ data, objectType, id, name, then, onDeleted, inCard }: {
  data: DataClient; objectType: Deletable; id: string; name: string;
  then?: string; onDeleted?: () => void; inCard?: boolean;
}) {
  const navigate = useNavigate();
  const { busy, error, run } = useAction();
  const remove = async () => {
    if (!confirmed(objectType, name) || !await run(() => data.deleteObject(objectType, id))) return;
    if (then) navigate(then);
    onDeleted?.();
  };
  return (
    <>
      <button className={inCard ? "btn ghost small card-action" : "btn danger"} aria-label={`Delete ${objectType} ${name}`} disabled={busy} data-testid={`delete-${objectType}`}
        onClick={(e) => { e.preventDefault(); e.stopPropagation(); void remove(); }}>
        {busy ? "Deleting…" : "Delete"}
      </button>
      {error && <span className="notice error" role="alert" style={{ margin: 0, padding: "4px 8px" }}>{error}</span>}
    </>
  );
}
