import { useState } from "react";
import type { AuditEvent } from "../../api/types";
import { ErrorNotice } from "../../components/ErrorNotice";
import { formatDate } from "../../format";
import { useAsync, useClient } from "../../hooks";
import { Link, useTitle } from "../../router";

/** The caller's audit log, newest first, paged with `before`. */
export function AuditLogPage() {
  useTitle("Activity");
  const client = useClient();
  const first = useAsync(() => client.auditLog({ limit: 50 }), []);
  const [more, setMore] = useState<AuditEvent[]>([]);
  const [next, setNext] = useState<string | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const events = [...(first.data?.events ?? []), ...more];
  const cursor = next === undefined ? first.data?.next_before ?? null : next;
  const loadMore = async () => {
    if (!cursor) return;
    try {
      const page = await client.auditLog({ limit: 50, before: cursor });
      setMore((m) => [...m, ...page.events]);
      setNext(page.next_before);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <main id="main" className="page">
      <div className="page-head"><h1>Activity</h1></div>
      <ErrorNotice error={first.error ?? error} onRetry={first.reload} />
      {first.data && events.length === 0 && <p className="muted">Nothing yet: creating an instance or an API key shows up here.</p>}
      {events.length > 0 && (
        <div className="table-wrap card">
          <table className="table">
            <thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">By</th><th scope="col">From</th></tr></thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.id}>
                  <td data-label="When">{formatDate(e.at)}</td>
                  <td data-label="Action"><code>{e.action}</code></td>
                  <td data-label="Target" className="mono small">
                    {e.target.type === "instance" ? <Link to={`/instances/${e.target.id}`}>{e.target.id}</Link> : `${e.target.type} ${e.target.id}`}
                  </td>
                  <td data-label="By">{e.actor.type === "system" ? "system" : e.actor.api_key_id ? `API key ${e.actor.api_key_id}` : "you"}</td>
                  <td data-label="From" className="mono small">{e.remote_address ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && <button type="button" className="btn" onClick={() => void loadMore()}>Load older</button>}
    </main>
  );
}
