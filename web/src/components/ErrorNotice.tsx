import { ApiError, errorMessage } from "../api/errors";

/** An error in the page: what happened, the request id to quote, and a retry when it can help. */
export function ErrorNotice({
  error,
  onRetry,
  title,
}: {
  error: unknown;
  onRetry?: () => void;
  title?: string;
}) {
  // An expired session is handled once, by the log-in dialog over the page (App.tsx).
  if (!error || (error instanceof ApiError && error.code === "session_expired")) return null;
  const reqId = error instanceof ApiError ? error.requestId : null;
  return (
    <div className="notice notice-error" role="alert">
      <div>
        {title && <strong>{title}: </strong>}
        {errorMessage(error)}
        {reqId && <span className="muted small"> (request id {reqId})</span>}
      </div>
      {onRetry && (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
