// A page that fails to render shows what happened instead of a blank screen; the rest of
// the app (sidebar, navigation) keeps working.
import { Component, type ReactNode } from "react";

interface State { error: Error | null }

export class ErrorBoundary extends Component<{ children: ReactNode; resetKey?: string }, State> {
  state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  componentDidUpdate(prev: { resetKey?: string }): void {
    // Navigating elsewhere gives the next page a fresh start.
    if (prev.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: null });
  }

  render(): ReactNode {
    if (!this.state.error) return this.props.children;
    return (
      <div className="page">
        <div className="notice error" role="alert">
          <div className="title">This page failed to render</div>
          <div className="mono" style={{ fontSize: 12 }}>{this.state.error.message}</div>
          <button className="btn small" style={{ marginTop: 8 }} onClick={() => window.location.reload()}>Reload</button>
        </div>
      </div>
    );
  }
}
