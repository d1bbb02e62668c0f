/** One panel's error boundary: a panel that throws shows its error in place; the page stays. */

import { Component, type ReactNode } from "react";
import { t } from "../i18n";

interface Props {
  name: string;
  children: ReactNode;
}

export class PanelBoundary extends Component<Props, { error: Error | null }> {
  state = { error: null as Error | null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  componentDidCatch(error: Error) {
    console.error(`panel ${this.props.name}:`, error);
  }

  render() {
    if (!this.state.error) return this.props.children;
    return (
      <section className="panel" aria-label={t("panel.broken", { name: this.props.name })}>
        <div className="panel-msg error-text" role="alert">
          {t("panel.brokenMsg", { name: this.props.name, error: this.state.error.message })}{" "}
          <button type="button" onClick={() => this.setState({ error: null })}>{t("common.retry")}</button>
        </div>
      </section>
    );
  }
}
