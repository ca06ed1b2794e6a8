// Routes. Every page is its own chunk, loaded on first visit.
import { lazy, Suspense, useEffect, useMemo } from "react";
import { BrowserRouter, Link, Navigate, Outlet, Route, Routes, useLocation, useParams } from "react-router-dom";
import { control } from "./api/control";
import { AppShell } from "./components/AppShell";
import { ErrorBoundary } from "./components/ErrorBoundary";
import { ErrorNotice } from "./components/ErrorNotice";
import { SkeletonRows } from "./components/Skeleton";
import { basePath } from "./lib/base";
import { OrgProvider, ProjectProvider } from "./state/scope";
import { SessionProvider, useSession } from "./state/session";
import { useAsync } from "./state/useAsync";

// Each page is a chunk; the chunk for the URL the app opens on starts loading at once,
// alongside the session check, instead of after it.
const pages = {
  SignIn: () => import("./pages/SignIn"),
  Projects: () => import("./pages/Projects"),
  Experiments: () => import("./pages/Experiments"),
  Experiment: () => import("./pages/Experiment"),
  Compare: () => import("./pages/Compare"),
  TracePage: () => import("./pages/TracePage"),
  Logs: () => import("./pages/Logs"),
  Datasets: () => import("./pages/Datasets"),
  Dataset: () => import("./pages/Dataset"),
  Prompts: () => import("./pages/Prompts"),
  PromptEditor: () => import("./pages/PromptEditor"),
  Review: () => import("./pages/Review"),
  Settings: () => import("./pages/Settings"),
  NameLink: () => import("./pages/NameLink"),
};
const SignIn = lazy(pages.SignIn);
const Projects = lazy(pages.Projects);
const Experiments = lazy(pages.Experiments);
const Experiment = lazy(pages.Experiment);
const Compare = lazy(pages.Compare);
const TracePage = lazy(pages.TracePage);
const Logs = lazy(pages.Logs);
const Datasets = lazy(pages.Datasets);
const Dataset = lazy(pages.Dataset);
const Prompts = lazy(pages.Prompts);
const PromptEditor = lazy(pages.PromptEditor);
const Review = lazy(pages.Review);
const Settings = lazy(pages.Settings);
const NameLink = lazy(pages.NameLink);

const PRELOAD: [RegExp, keyof typeof pages][] = [
  [/^\/login/, "SignIn"],
  [/^\/o\/[^/]+\/?$/, "Projects"],
  [/^\/o\/[^/]+\/settings/, "Settings"],
  [/\/experiments\/[^/]+/, "Experiment"],
  [/\/experiments\/?$/, "Experiments"],
  [/\/compare/, "Compare"],
  [/\/trace\//, "TracePage"],
  [/\/logs/, "Logs"],
  [/\/datasets\/[^/]+/, "Dataset"],
  [/\/datasets\/?$/, "Datasets"],
  [/\/prompts\/[^/]+/, "PromptEditor"],
  [/\/prompts\/?$/, "Prompts"],
  [/\/review/, "Review"],
];

export function preloadRoute(pathname: string): void {
  const hit = PRELOAD.find(([re]) => re.test(pathname));
  if (hit) void pages[hit[1]]().catch(() => undefined);
}

function Loading() {
  return <div className="page"><SkeletonRows rows={6} cols={4} /></div>;
}

function RequireSession() {
  const { me, loading, error } = useSession();
  const loc = useLocation();
  if (loading) return <Loading />;
  if (error && !me) return <div className="page"><ErrorNotice error={error} onRetry={() => window.location.reload()} /></div>;
  if (!me) return <Navigate to={`/login?next=${encodeURIComponent(loc.pathname + loc.search)}`} replace />;
  return <Outlet />;
}

function Home() {
  const { me } = useSession();
  const first = me?.orgs[0];
  if (!first) {
    return (
      <div className="empty">
        <h2>You are not a member of any organization yet</h2>
        <p>Ask an admin of your organization to add you, or sign in with another account.</p>
      </div>
    );
  }
  return <Navigate to={`/o/${first.id}`} replace />;
}

function OrgLayout() {
  const { orgId = "" } = useParams();
  const { me, dataClient } = useSession();
  const org = me?.orgs.find((o) => o.id === orgId);
  const value = useMemo(() => (org ? { org, data: dataClient(org.id) } : null), [org, dataClient]);
  // Mint the data-plane token now, in parallel with the page's metadata calls.
  useEffect(() => {
    if (value) void value.data.tokens.get().catch(() => undefined);
  }, [value]);
  if (!value) {
    return <div className="page"><ErrorNotice error={new Error("This organization does not exist or you are not a member of it.")} /></div>;
  }
  return (
    <OrgProvider value={value}>
      <Outlet />
    </OrgProvider>
  );
}

function ProjectLayout() {
  const { orgId = "", projectId = "" } = useParams();
  const { me, dataClient } = useSession();
  const org = me?.orgs.find((o) => o.id === orgId)!;
  const project = useAsync(() => control.project(projectId), [projectId]);
  // Pages only need the project id to start loading rows; the name fills in when it arrives.
  const value = useMemo(
    () => ({
      org, data: dataClient(org.id), base: `/o/${org.id}/p/${projectId}`,
      project: project.data && project.data.id === projectId ? project.data : { id: projectId, org_id: org.id, name: "" },
    }),
    [org, project.data, projectId, dataClient],
  );
  if (project.error) return <Shell><div className="page"><ErrorNotice error={project.error} onRetry={project.reload} /></div></Shell>;
  return (
    <ProjectProvider value={value}>
      <Shell><Outlet /></Shell>
    </ProjectProvider>
  );
}

function Shell({ children }: { children: React.ReactNode }) {
  const loc = useLocation();
  return (
    <AppShell>
      <ErrorBoundary resetKey={loc.pathname}>
        <Suspense fallback={<Loading />}>{children}</Suspense>
      </ErrorBoundary>
    </AppShell>
  );
}

function OrgPages() {
  return <Shell><Outlet /></Shell>;
}

export function App() {
  return (
    <BrowserRouter basename={basePath() || undefined}>
      <SessionProvider>
        <Suspense fallback={null}>
          <Routes>
            <Route path="/login" element={<SignIn />} />
            <Route element={<RequireSession />}>
              <Route path="/" element={<Home />} />
              <Route path="/app/:orgName/p/:projectName/*" element={<NameLink />} />
              <Route path="/o/:orgId" element={<OrgLayout />}>
                <Route element={<OrgPages />}>
                  <Route index element={<Projects />} />
                  <Route path="settings" element={<Navigate to="members" replace />} />
                  <Route path="settings/:tab" element={<Settings />} />
                </Route>
                <Route path="p/:projectId" element={<ProjectLayout />}>
                  <Route index element={<Navigate to="experiments" replace />} />
                  <Route path="experiments" element={<Experiments />} />
                  <Route path="experiments/:experimentId" element={<Experiment />} />
                  <Route path="compare" element={<Compare />} />
                  <Route path="logs" element={<Logs />} />
                  <Route path="datasets" element={<Datasets />} />
                  <Route path="datasets/:datasetId" element={<Dataset />} />
                  <Route path="prompts" element={<Prompts />} />
                  <Route path="prompts/new" element={<PromptEditor />} />
                  <Route path="prompts/:promptId" element={<PromptEditor />} />
                  <Route path="review" element={<Review />} />
                  <Route path="trace/:objectType/:objectId/:rootSpanId" element={<TracePage />} />
                </Route>
              </Route>
              <Route path="*" element={<div className="empty"><h2>Page not found</h2><p><Link to="/">Go to your projects</Link></p></div>} />
            </Route>
          </Routes>
        </Suspense>
      </SessionProvider>
    </BrowserRouter>
  );
}
