// Routes. Every page is its own chunk, loaded on first visit.
import { lazy, Suspense, useMemo } from "react";
import { BrowserRouter, Navigate, Outlet, Route, Routes, useLocation, useParams } from "react-router-dom";
import { control } from "./api/control";
import { AppShell } from "./components/AppShell";
import { ErrorNotice } from "./components/ErrorNotice";
import { SkeletonRows } from "./components/Skeleton";
import { OrgProvider, ProjectProvider } from "./state/scope";
import { SessionProvider, useSession } from "./state/session";
import { useAsync } from "./state/useAsync";

const SignIn = lazy(() => import("./pages/SignIn"));
const Projects = lazy(() => import("./pages/Projects"));
const Experiments = lazy(() => import("./pages/Experiments"));
const Experiment = lazy(() => import("./pages/Experiment"));
const Compare = lazy(() => import("./pages/Compare"));
const TracePage = lazy(() => import("./pages/TracePage"));
const Logs = lazy(() => import("./pages/Logs"));
const Datasets = lazy(() => import("./pages/Datasets"));
const Dataset = lazy(() => import("./pages/Dataset"));
const Prompts = lazy(() => import("./pages/Prompts"));
const PromptEditor = lazy(() => import("./pages/PromptEditor"));
const Review = lazy(() => import("./pages/Review"));
const Settings = lazy(() => import("./pages/Settings"));
const NameLink = lazy(() => import("./pages/NameLink"));

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
  const value = useMemo(
    () => (project.data ? { org, data: dataClient(org.id), project: project.data, base: `/o/${org.id}/p/${project.data.id}` } : null),
    [org, project.data, dataClient],
  );
  if (project.error) return <Shell><div className="page"><ErrorNotice error={project.error} onRetry={project.reload} /></div></Shell>;
  if (!value) return <Shell><Loading /></Shell>;
  return (
    <ProjectProvider value={value}>
      <Shell><Outlet /></Shell>
    </ProjectProvider>
  );
}

function Shell({ children }: { children: React.ReactNode }) {
  return (
    <AppShell>
      <Suspense fallback={<Loading />}>{children}</Suspense>
    </AppShell>
  );
}

function OrgPages() {
  return <Shell><Outlet /></Shell>;
}

export function App() {
  return (
    <BrowserRouter>
      <SessionProvider>
        <Suspense fallback={<Loading />}>
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
              <Route path="*" element={<div className="empty"><h2>Page not found</h2><p><a href="/">Go to your projects</a></p></div>} />
            </Route>
          </Routes>
        </Suspense>
      </SessionProvider>
    </BrowserRouter>
  );
}
