import { useState, type FormEvent } from "react";
import { errorMessage } from "../../api/errors";
import type { ApiKey, ApiKeyCreated } from "../../api/types";
import { validateName } from "../../auth/validation";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { CopyButton } from "../../components/CopyButton";
import { ErrorNotice } from "../../components/ErrorNotice";
import { formatDate, timeAgo } from "../../format";
import { useAsync, useClient } from "../../hooks";
import { useTitle } from "../../router";

/** Create (the secret is shown once), list with prefix and last use, revoke. */
export function ApiKeysPage() {
  useTitle("API keys");
  const client = useClient();
  const keys = useAsync(() => client.listApiKeys(), []);
  const [name, setName] = useState("");
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [createError, setCreateError] = useState<unknown>(null);
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const nameError = validateName(name);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (nameError || busy) return;
    setBusy(true);
    setCreateError(null);
    try {
      const k = await client.createApiKey(name);
      setCreated(k);
      setName("");
      setSubmitted(false);
      keys.reload();
    } catch (err) {
      setCreateError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="page">
      <div className="page-head"><h1>API keys</h1></div>
      <p className="muted">
        Programs use an API key instead of your password: <code>Authorization: Bearer mr_live_…</code> on every{" "}
        <code>/api/v1</code> route. A key cannot create or revoke other keys.
      </p>
      {created && (
        <div className="card notice-ok stack" role="status">
          <strong>Key “{created.name}” created. Copy it now: it is shown only once.</strong>
          <div className="row wrap">
            <code className="code-inline break">{created.key}</code>
            <CopyButton text={created.key} what="the new API key" />
          </div>
          <div><button type="button" className="btn btn-small" onClick={() => setCreated(null)}>I have saved it</button></div>
        </div>
      )}
      <form className="card row wrap align-end" onSubmit={create} noValidate>
        <div className="field grow">
          <label htmlFor="key-name">New key name</label>
          <input id="key-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="ci-deploy" aria-invalid={submitted && !!nameError} aria-describedby="key-name-err" />
          {submitted && nameError && <p id="key-name-err" className="field-error">{nameError}</p>}
        </div>
        <button type="submit" className="btn btn-primary" disabled={busy}>{busy ? "Creating…" : "Create key"}</button>
      </form>
      {createError !== null && <p className="notice notice-error" role="alert">{errorMessage(createError)}</p>}
      <ErrorNotice error={keys.error} onRetry={keys.reload} title="Could not load your API keys" />
      {keys.data && keys.data.length === 0 && <p className="muted">No API keys yet.</p>}
      {keys.data && keys.data.length > 0 && (
        <div className="table-wrap card">
          <table className="table">
            <thead><tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {keys.data.map((k) => (
                <tr key={k.id}>
                  <td data-label="Name">{k.name}</td>
                  <td data-label="Prefix" className="mono">{k.prefix}…</td>
                  <td data-label="Created" title={formatDate(k.created_at)}>{timeAgo(k.created_at)}</td>
                  <td data-label="Last used" title={k.last_used_at ? formatDate(k.last_used_at) : undefined}>{timeAgo(k.last_used_at)}</td>
                  <td className="right"><button type="button" className="btn btn-small btn-danger-quiet" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>Revoke</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {revoking && (
        <ConfirmDialog
          title={`Revoke “${revoking.name}”?`}
          confirmLabel="Revoke key"
          danger
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await client.revokeApiKey(revoking.id);
            keys.reload();
          }}
        >
          <p>Programs using <code>{revoking.prefix}…</code> stop working within seconds.</p>
        </ConfirmDialog>
      )}
    </main>
  );
}
