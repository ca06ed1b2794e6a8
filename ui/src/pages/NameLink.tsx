// Braintrust-style links (/app/{org}/p/{project}/experiments/{name}), as the SDK prints them
// after an eval, resolved from names to ids.
import { Navigate, useParams } from "react-router-dom";
import { control } from "../api/control";
import { ErrorNotice } from "../components/ErrorNotice";
import { SkeletonRows } from "../components/Skeleton";
import { useSession } from "../state/session";
import { useAsync } from "../state/useAsync";

export default function NameLink() {
  const { orgName = "", projectName = "", "*": rest = "" } = useParams();
  const { me } = useSession();
  const target = useAsync(async () => {
    const org = me?.orgs.find((o) => o.name === orgName || o.id === orgName);
    if (!org) throw new Error(`You are not a member of an organization named "${orgName}".`);
    const project = (await control.projects(org.id)).find((p) => p.name === projectName || p.id === projectName);
    if (!project) throw new Error(`No project named "${projectName}" in ${org.name}.`);
    const base = `/o/${org.id}/p/${project.id}`;
    const [section, name] = rest.split("/").map(decodeURIComponent);
    if (section === "experiments" && name) {
      const exp = (await control.objects(project.id, "experiment")).find((e) => e.name === name || e.id === name);
      return exp ? `${base}/experiments/${exp.id}` : `${base}/experiments`;
    }
    if (["logs", "datasets", "prompts"].includes(section)) return `${base}/${section}`;
    return `${base}/experiments`;
  }, [orgName, projectName, rest, me]);
  if (target.error) return <div className="page"><ErrorNotice error={target.error} /></div>;
  if (!target.data) return <div className="page"><SkeletonRows rows={4} /></div>;
  return <Navigate to={target.data} replace />;
}
