import { useEffect, useRef, useState } from "react";
import type { Instance } from "../../api/types";
import { ErrorNotice } from "../../components/ErrorNotice";
import { StatusBadge } from "../../components/StatusBadge";
import { UsageBar } from "../../components/UsageBar";
import { formatBytes, formatDate, timeAgo } from "../../format";
import { useAsync, useClient, useInterval } from "../../hooks";
import { Link, navigate, useTitle } from "../../router";
import { CreateInstanceDialog } from "./CreateInstanceDialog";

function endpointText(i: Instance): string {
  return i.endpoint.host && i.endpoint.port ? `${i.endpoint.host}:${i.endpoint.port}` : "not provisioned yet";
}

/** Used memory of every instance from one metrics call each (latest sample only). */
function useMemoryUsed(instances: Instance[] | undefined): Record<string, number | null> {
  const client = useClient();
  const [used, setUsed] = useState<Record<string, number | null>>({});
  const refresh = () => {
    for (const i of instances ?? []) {
      if (i.status !== "running") continue;
      client.metrics(i.id, "15m").then(
        (m) => setUsed((u) => ({ ...u, [i.id]: m.latest?.used_memory ?? null })),
        () => undefined, // the bar shows "—"; the list itself stays usable
      );
    }
  };
  const key = (instances ?? []).map((i) => i.id + i.status).join(",");
  const refreshRef = useRef(refresh);
  refreshRef.current = refresh;
  useEffect(() => refreshRef.current(), [key]);
  // A new instance has no sample for a second or two: ask again soon rather than in 10 s.
  const missing = (instances ?? []).some((i) => i.status === "running" && (used[i.id] ?? null) === null);
  useInterval(refresh, missing ? 2000 : 10_000);
  return used;
}

export function InstancesPage() {
  useTitle("Instances");
  const client = useClient();
  const list = useAsync(() => client.listInstances(), []);
  const quota = useAsync(() => client.quota(), []);
  const [creating, setCreating] = useState(false);
  const used = useMemoryUsed(list.data);
  // Instances still provisioning or changing: poll until they settle.
  const unsettled = (list.data ?? []).some((i) => i.status === "provisioning" || i.status === "deleting" || i.pending_change);
  useInterval(list.reload, unsettled ? 2000 : 15_000);

  const atLimit = quota.data ? quota.data.instances.used >= quota.data.instances.limit : false;
  const createButton = (
    <button type="button" className="btn btn-primary" onClick={() => setCreating(true)} disabled={atLimit} title={atLimit ? "Instance quota reached" : undefined}>
      Create instance
    </button>
  );

  return (
    <main id="main" className="page">
      <div className="page-head">
        <h1>Instances</h1>
        {list.data && list.data.length > 0 && createButton}
      </div>
      {quota.data && (
        <div className="quota-row card">
          <div>
            <div className="small muted">Instances</div>
            <UsageBar label="Instances used" used={quota.data.instances.used} limit={quota.data.instances.limit} />
          </div>
          <div>
            <div className="small muted">Memory reserved</div>
            <UsageBar label="Memory reserved" used={quota.data.memory_mb.used} limit={quota.data.memory_mb.limit} format={(n) => `${n} MB`} />
          </div>
        </div>
      )}
      <ErrorNotice error={list.error} onRetry={list.reload} title="Could not load your instances" />
      {list.loading && !list.data && <p className="muted" role="status">Loading instances…</p>}
      {list.data && list.data.length === 0 && (
        <div className="empty card">
          <h2>Create your first instance</h2>
          <p>
            An instance is a Redis-compatible database with its own memory limit, eviction policy and
            endpoint. Connect with <code>redis-cli</code>, any Redis client, or the REST API.
          </p>
          {createButton}
        </div>
      )}
      {list.data && list.data.length > 0 && (
        <div className="table-wrap card">
          <table className="table instances-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Memory</th>
                <th scope="col">Endpoint</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((i) => (
                <tr key={i.id}>
                  <td data-label="Name">
                    <Link to={`/instances/${i.id}`} className="strong">
                      {i.name}
                    </Link>
                    <div className="small muted mono">{i.id}</div>
                  </td>
                  <td data-label="Status">
                    <StatusBadge instance={i} />
                  </td>
                  <td data-label="Memory" className="memory-cell">
                    <UsageBar
                      label={`Memory used by ${i.name}`}
                      used={used[i.id] ?? null}
                      limit={i.memory_limit_mb * 1024 * 1024}
                      format={formatBytes}
                    />
                  </td>
                  <td data-label="Endpoint" className="mono small">
                    {endpointText(i)}
                  </td>
                  <td data-label="Created" title={formatDate(i.created_at)}>
                    {timeAgo(i.created_at)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {creating && (
        <CreateInstanceDialog
          quota={quota.data}
          onClose={() => setCreating(false)}
          onCreated={(inst) => {
            setCreating(false);
            quota.reload();
            navigate(`/instances/${inst.id}`);
          }}
        />
      )}
    </main>
  );
}
