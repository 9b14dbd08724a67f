import { useState, type ReactNode } from "react";
import { errorMessage } from "../api/errors";
import { Modal } from "./Modal";

/**
 * Asks before a destructive action; with `typeToConfirm` the user must type that text (the
 * instance's name before a delete). Errors of the action are shown in the dialog, which stays open.
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  danger,
  typeToConfirm,
  onConfirm,
  onClose,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  typeToConfirm?: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const [typed, setTyped] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const ok = typeToConfirm === undefined || typed === typeToConfirm;
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <Modal title={title} onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (ok && !busy) void submit();
        }}
      >
        <div className="stack">{children}</div>
        {typeToConfirm !== undefined && (
          <div className="field">
            <label htmlFor="confirm-text">
              Type <strong>{typeToConfirm}</strong> to confirm
            </label>
            <input
              id="confirm-text"
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              autoComplete="off"
              spellCheck={false}
            />
          </div>
        )}
        {error !== null && (
          <p className="notice notice-error" role="alert">
            {errorMessage(error)}
          </p>
        )}
        <div className="actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className={danger ? "btn btn-danger" : "btn btn-primary"} disabled={!ok || busy}>
            {busy ? "Working…" : confirmLabel}
          </button>
        </div>
      </form>
    </Modal>
  );
}
