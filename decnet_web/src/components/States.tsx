import type { ReactNode } from "react";

import { ApiError } from "../api/client";

type EmptyStateProps = { title: string; children?: ReactNode };

/** A quiet panel for a list or section with nothing in it yet. */
export function EmptyState({ title, children }: EmptyStateProps) {
  return (
    <div className="state state-empty" role="status">
      <p className="state-title">{title}</p>
      {children ? <p className="state-hint">{children}</p> : null}
    </div>
  );
}

type ErrorStateProps = {
  error: unknown;
  what: string;
  onRetry?: () => void;
};

/** An alert naming what failed to load, why, and a retry button. */
export function ErrorState({ error, what, onRetry }: ErrorStateProps) {
  const reason =
    error instanceof ApiError
      ? `${error.message} (HTTP ${error.status})`
      : error instanceof Error
        ? error.message
        : "Unknown error";
  return (
    <div className="state state-error" role="alert">
      <p className="state-title">Could not load {what}.</p>
      <p className="state-hint">{reason}</p>
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/** A polite loading line that screen readers announce once. */
export function Loading({ what }: { what: string }) {
  return (
    <p className="state-loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}
