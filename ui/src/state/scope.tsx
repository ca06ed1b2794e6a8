// The org and project the current page is about, taken from the URL.
import { createContext, useContext, type ReactNode } from "react";
import type { DataClient } from "../api/data";
import type { OrgRef, Project } from "../api/types";

export interface OrgScope { org: OrgRef; data: DataClient }
export interface ProjectScope extends OrgScope { project: Project; base: string }

const OrgCtx = createContext<OrgScope | null>(null);
const ProjectCtx = createContext<ProjectScope | null>(null);

export function OrgProvider({ value, children }: { value: OrgScope; children: ReactNode }) {
  return <OrgCtx.Provider value={value}>{children}</OrgCtx.Provider>;
}
export function ProjectProvider({ value, children }: { value: ProjectScope; children: ReactNode }) {
  return <ProjectCtx.Provider value={value}>{children}</ProjectCtx.Provider>;
}
export function useOrg(): OrgScope {
  const v = useContext(OrgCtx);
  if (!v) throw new Error("useOrg outside an org route");
  return v;
}
export function useProject(): ProjectScope {
  const v = useContext(ProjectCtx);
  if (!v) throw new Error("useProject outside a project route");
  return v;
}
export function useMaybeProject(): ProjectScope | null {
  return useContext(ProjectCtx);
}
