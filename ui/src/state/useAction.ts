// One user action at a time: busy while it runs, its error (as a sentence) if it failed.
import { useState } from "react";
import { describeError } from "../components/ErrorNotice";

export function useAction() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** Runs `fn`; true when it succeeded, false (with `error` set) when it threw. */
  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      return true;
    } catch (e) {
      setError(describeError(e));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run };
}
