// How long a project's logs are kept: the project setting `retention_days`, which the data plane's
// sweep applies (older logs are deleted with their versions and search entries). Admins choose it;
// everyone else sees it. A shorter retention deletes logs at the next sweep, so it is confirmed first.
import { control } from "../api/control";
import { useAction } from "../state/useAction";
import { useAsync } from "../state/useAsync";

const CHOICES = [7, 14, 30, 90, 180, 365];

export function RetentionSelect({ projectId, canChange }: { projectId: string; canChange: boolean }) {
  const project = useAsync(() => control.project(projectId), [projectId]);
  const { busy: saving, error, run } = useAction();
  if (!project.data) return null;
  const settings = project.data.settings ?? {};
  const raw = settings.retention_days;
  const days = typeof raw === "number" && raw >= 1 ? raw : null;
  if (!canChange) {
    return days ? <span className="muted" style={{ fontSize: 13 }} data-testid="retention">Logs kept {days} days</span> : null;
  }
  const choose = async (value: string) => {
    const next = value === "" ? null : Number(value);
    if (next !== null && (days === null || next < days)
        && !window.confirm(`Keep logs for ${next} days? Logs older than that are deleted for good within minutes.`)) return;
    const saved = await run(async () => {
      const fresh = (await control.project(projectId)).settings ?? {};  // not what the page loaded: others may have changed them
      await control.updateProjectSettings(projectId, { ...fresh, retention_days: next });
    });
    if (saved) project.reload();
  };
  const choices = days !== null && !CHOICES.includes(days) ? [...CHOICES, days].sort((a, b) => a - b) : CHOICES;
  return (
    <>
      <select className="input" value={days ?? ""} disabled={saving} onChange={(e) => void choose(e.target.value)}
        aria-label="Log retention" title="How long this project's logs are kept" data-testid="retention">
        <option value="">Keep logs forever</option>
        {choices.map((d) => <option key={d} value={d}>Keep logs {d} days</option>)}
      </select>
      {error && <span className="notice error" role="alert" style={{ margin: 0, padding: "4px 8px" }}>{error}</span>}
    </>
  );
}
