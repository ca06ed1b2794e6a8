// Sidebar (org switcher, project sections, settings, user) around every signed-in page.
import { useState, type ReactNode } from "react";
import { NavLink, useNavigate } from "react-router-dom";
import { control } from "../api/control";
import type { OrgRef } from "../api/types";
import { appPath } from "../lib/base";
import { useDropdown } from "../state/useDropdown";
import { useHotkeys } from "../state/useHotkeys";
import { describeError } from "./ErrorNotice";
import { Modal } from "./Overlay";
import { useSession } from "../state/session";
import { useMaybeProject, useOrg } from "../state/scope";

function initials(name: string): string {
  return name.split(/[\s_-]+/).filter(Boolean).slice(0, 2).map((w) => w[0]!.toUpperCase()).join("") || "?";
}

export function OrgSwitcher({ current, orgs }: { current: OrgRef; orgs: OrgRef[] }) {
  const { open, setOpen, ref } = useDropdown();
  const { refresh } = useSession();
  const createOrg = async () => {
    const name = window.prompt("Name of the new organization");
    if (!name?.trim()) return;
    try {
      const org = await control.createOrg(name.trim());
      await refresh();
      setOpen(false);
      navigate(`/o/${org.id}`);
    } catch (e) {
      window.alert(describeError(e));
    }
  };
  const navigate = useNavigate();
  return (
    <div className="dropdown" ref={ref}>
      <button className="org-button" onClick={() => setOpen(!open)} aria-haspopup="menu" aria-expanded={open} data-testid="org-switcher">
        <span className="avatar">{initials(current.name)}</span>
        <span className="ellipsis" style={{ flex: 1, textAlign: "left" }}>{current.name}</span>
        <span className="faint">⌄</span>
      </button>
      {open && (
        <div className="dropdown-menu" role="menu" style={{ left: 8 }}>
          {orgs.map((o) => (
            <button key={o.id} role="menuitem" onClick={() => { setOpen(false); navigate(`/o/${o.id}`); }}>
              <span className="avatar">{initials(o.name)}</span>
              <span className="ellipsis" style={{ flex: 1 }}>{o.name}</span>
              {o.id === current.id && <span className="faint">✓</span>}
            </button>
          ))}
          <div style={{ borderTop: "1px solid var(--border)", margin: "4px 0" }} />
          <button role="menuitem" onClick={createOrg}><span className="avatar" style={{ background: "var(--bg-muted)", color: "var(--text-muted)" }}>+</span>New organization</button>
        </div>
      )}
    </div>
  );
}

const SHORTCUTS: [string, string][] = [
  ["/", "Search text"], ["f", "Edit the filter"], ["j / k", "Next / previous row or span"], ["Enter", "Open the selected row"],
  ["Esc", "Close the trace or dialog"], ["← / →", "Collapse / expand a span"], ["1–9, 0, -", "Score 10–90 %, 100 %, 0 % (review)"],
  ["Tab", "Next score (review)"], ["c", "Comment (review)"], ["?", "This help"],
];

function ShortcutHelp({ onClose }: { onClose: () => void }) {
  return (
    <Modal onClose={onClose} title="Keyboard shortcuts">
      <table className="simple"><tbody>
        {SHORTCUTS.map(([k, what]) => <tr key={k}><td style={{ width: 120 }}><span className="kbd">{k}</span></td><td>{what}</td></tr>)}
      </tbody></table>
    </Modal>
  );
}

export function AppShell({ children }: { children: ReactNode }) {
  const { me, signOut } = useSession();
  const [help, setHelp] = useState(false);
  useHotkeys({ "?": () => setHelp(true) });
  const { org } = useOrg();
  const scope = useMaybeProject();
  const navigate = useNavigate();
  const o = `/o/${org.id}`;
  const cls = ({ isActive }: { isActive: boolean }) => `navlink${isActive ? " active" : ""}`;
  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="brand"><img src={appPath("/favicon.svg")} alt="" />Twinplane</div>
        <OrgSwitcher current={org} orgs={me?.orgs ?? [org]} />
        <nav style={{ marginTop: 8 }}>
          <NavLink to={o} end className={cls}>Projects</NavLink>
        </nav>
        {scope && (
          <>
            <div className="section-label" title={scope.project.name}>{scope.project.name}</div>
            <nav>
              <NavLink to={`${scope.base}/experiments`} className={cls}>Experiments</NavLink>
              <NavLink to={`${scope.base}/logs`} className={cls}>Logs</NavLink>
              <NavLink to={`${scope.base}/datasets`} className={cls}>Datasets</NavLink>
              <NavLink to={`${scope.base}/prompts`} className={cls}>Prompts</NavLink>
              <NavLink to={`${scope.base}/review`} className={cls}>Human review</NavLink>
            </nav>
          </>
        )}
        <div className="spacer" />
        <nav style={{ paddingBottom: 8 }}>
          <button className="navlink" style={{ border: 0, background: "none", cursor: "pointer", font: "inherit" }} onClick={() => setHelp(true)}>
            Shortcuts <span className="kbd">?</span>
          </button>
          <NavLink to={`${o}/settings`} className={cls}>Settings</NavLink>
        </nav>
        <div className="user">
          <span className="email" title={me?.user.email}>{me?.user.name || me?.user.email}</span>
          <button className="btn ghost small" onClick={async () => { await signOut(); navigate("/login"); }}>Sign out</button>
        </div>
      </aside>
      <main className="main">{children}</main>
      {help && <ShortcutHelp onClose={() => setHelp(false)} />}
    </div>
  );
}

export function Breadcrumbs({ items }: { items: { label: ReactNode; to?: string }[] }) {
  return (
    <div className="breadcrumbs">
      {items.map((it, i) => (
        <span key={i} className="row-flex" style={{ gap: 6 }}>
          {i > 0 && <span className="sep">/</span>}
          {it.to ? <NavLink to={it.to}>{it.label}</NavLink> : <span>{it.label}</span>}
        </span>
      ))}
    </div>
  );
}
