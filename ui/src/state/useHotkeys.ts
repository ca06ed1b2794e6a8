// Page-level single-key shortcuts that stay out of the way while the user types.
import { useEffect, useRef } from "react";

export type HotkeyMap = Record<string, (e: KeyboardEvent) => void>;

export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName);
}

function modalOpen(): boolean {
  return typeof document !== "undefined" && document.querySelector('[aria-modal="true"]') !== null;
}

/**
 * Keys are KeyboardEvent.key values ("j", "Enter", "/", "Escape"). Escape also fires while
 * typing. While a drawer or dialog is open only maps registered `whileModal` (the ones that
 * live inside it) react, so keys never act on the page hidden behind it.
 */
export function useHotkeys(map: HotkeyMap, enabled = true, whileModal = false): void {
  const ref = useRef(map);
  ref.current = map;
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.metaKey || e.ctrlKey || e.altKey) return;
      if (isTyping(e.target) && e.key !== "Escape") return;
      if (!whileModal && modalOpen()) return;
      const h = ref.current[e.key];
      if (h) {
        e.preventDefault();
        h(e);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [enabled, whileModal]);
}
