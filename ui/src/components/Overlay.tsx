// Drawer and modal: Escape closes, clicking the backdrop closes.
import { useEffect, type ReactNode } from "react";

function useEscape(onClose: () => void) {
  useEffect(() => {
    const h = (e: KeyboardEvent) => {
      if (e.key === "Escape") onClose();
    };
    window.addEventListener("keydown", h);
    return () => window.removeEventListener("keydown", h);
  }, [onClose]);
}

export function Drawer({ onClose, title, actions, children }: { onClose: () => void; title: ReactNode; actions?: ReactNode; children: ReactNode }) {
  useEscape(onClose);
  return (
    <>
      <div className="backdrop" onClick={onClose} />
      <aside className="drawer" role="dialog" aria-modal="true">
        <div className="drawer-header">
          <div className="grow ellipsis" style={{ flex: 1, fontWeight: 600 }}>{title}</div>
          {actions}
          <button className="btn ghost small" onClick={onClose} aria-label="Close">Close <span className="kbd">Esc</span></button>
        </div>
        <div style={{ flex: 1, minHeight: 0, display: "flex", flexDirection: "column" }}>{children}</div>
      </aside>
    </>
  );
}

export function Modal({ onClose, title, footer, children }: { onClose: () => void; title: ReactNode; footer?: ReactNode; children: ReactNode }) {
  useEscape(onClose);
  return (
    <>
      <div className="backdrop" onClick={onClose} />
      <div className="modal" role="dialog" aria-modal="true">
        <div className="modal-header"><span style={{ flex: 1 }}>{title}</span>
          <button className="btn ghost small" onClick={onClose} aria-label="Close">✕</button>
        </div>
        <div className="modal-body">{children}</div>
        {footer && <div className="modal-footer">{footer}</div>}
      </div>
    </>
  );
}
