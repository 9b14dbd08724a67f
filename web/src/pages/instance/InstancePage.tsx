import { lazy, Suspense, useState } from "react";
import { ApiError } from "../../api/errors";
import type { Instance } from "../../api/types";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ErrorNotice } from "../../components/ErrorNotice";
import { StatusBadge } from "../../components/StatusBadge";
import { UsageBar } from "../../components/UsageBar";
import { formatBytes, formatDate, formatNumber } from "../../format";
import { useAsync, useClient, useInterval } from "../../hooks";
import { Link, navigate, useTitle } from "../../router";
import { WebCli } from "../cli/WebCli";
import { ConnectionDetails } from "./ConnectionDetails";
import { SettingsForm } from "./SettingsForm";

// Charts and the key browser are not needed for the first paint: separate chunks.
const MonitoringPanel = lazy(() => import("../monitoring/MonitoringPanel"));
const KeyBrowser = lazy(() => import("../keys/KeyBrowser"));

const TABS = [
  ["overview", "Overview"],
  ["cli", "CLI"],
  ["keys", "Keys"],
  ["monitoring", "Monitoring"],
  ["settings", "Settings"],
] as const;
type Tab = (typeof TABS)[number][0];

function Usage({ instance }: { instance: Instance }) {
  const client = useClient();
  const m = useAsync(() => client.metrics(instance.id, "15m"), [instance.id]);
  const quota = useAsync(() => client.quota(), [instance.id]);
  useInterval(m.reload, 5000);
  const latest = m.data?.latest ?? null;
  return (
    <section className="card stack" aria-labelledby="usage-title">
      <h2 id="usage-title">Usage and quota</h2>
      <div>
        <div className="small muted">Memory used</div>
        <UsageBar label="Memory used" used={latest?.used_memory ?? null} limit={instance.memory_limit_mb * 1024 * 1024} format={formatBytes} />
      </div>
      <div className="stats">
        <div><div className="small muted">Keys</div><strong>{formatNumber(latest?.keys, 0)}</strong></div>
        <div><div className="small muted">Clients</div><strong>{formatNumber(latest?.clients, 0)}</strong></div>
        <div><div className="small muted">Ops/s</div><strong>{formatNumber(latest?.ops_per_sec)}</strong></div>
      </div>
      {quota.data && (
        <>
          <div>
            <div className="small muted">Account: instances</div>
            <UsageBar label="Instances in your quota" used={quota.data.instances.used} limit={quota.data.instances.limit} />
          </div>
          <div>
            <div className="small muted">Account: memory reserved</div>
            <UsageBar label="Memory in your quota" used={quota.data.memory_mb.used} limit={quota.data.memory_mb.limit} format={(n) => `${n} MB`} />
          </div>
        </>
      )}
      <ErrorNotice error={m.error ?? quota.error} />
      <dl className="facts small">
        <div><dt>Eviction</dt><dd><code>{instance.eviction_policy}</code></dd></div>
        <div><dt>Persistence</dt><dd><code>{instance.persistence}</code></dd></div>
        <div><dt>Created</dt><dd>{formatDate(instance.created_at)}</dd></div>
      </dl>
    </section>
  );
}

export function InstancePage({ id, tab: rawTab }: { id: string; tab: string | undefined }) {
  const client = useClient();
  const inst = useAsync(() => client.getInstance(id), [id]);
  const [confirm, setConfirm] = useState<"start" | "stop" | "delete" | null>(null);
  const i = inst.data;
  useTitle(i ? i.name : "Instance");
  const unsettled = i ? i.status === "provisioning" || i.status === "deleting" || i.pending_change : false;
  useInterval(inst.reload, unsettled ? 2000 : 10_000);
  const tab: Tab = TABS.some(([t]) => t === rawTab) ? (rawTab as Tab) : "overview";

  if (inst.error instanceof ApiError && inst.error.status === 404) {
    return (
      <main id="main" className="page">
        <h1>Instance not found</h1>
        <p>It was deleted, or it is not yours. <Link to="/">Back to your instances</Link></p>
      </main>
    );
  }

  const prompt = i?.endpoint.port ? `${i.endpoint.host ?? "instance"}:${i.endpoint.port}` : id;
  const cliDisabled = i && i.status !== "running" ? `The instance is ${i.status}; start it to run commands.` : null;

  return (
    <main id="main" className="page">
      <nav className="breadcrumb small" aria-label="Breadcrumb">
        <Link to="/">Instances</Link> <span aria-hidden="true">/</span> <span aria-current="page">{i?.name ?? id}</span>
      </nav>
      <ErrorNotice error={inst.error} onRetry={inst.reload} title="Could not load the instance" />
      {!i && inst.loading && <p className="muted" role="status">Loading…</p>}
      {i && (
        <>
          <div className="page-head">
            <div>
              <h1>{i.name}</h1>
              <div className="row small">
                <StatusBadge instance={i} /> <span className="mono muted">{i.id}</span>
              </div>
              {i.status === "error" && i.status_message && <p className="notice notice-error">{i.status_message}</p>}
            </div>
            <div className="row">
              {i.desired_state === "stopped" ? (
                <button type="button" className="btn" onClick={() => setConfirm("start")} disabled={i.status === "deleting"}>
                  Start
                </button>
              ) : (
                <button type="button" className="btn" onClick={() => setConfirm("stop")} disabled={i.status === "deleting"}>
                  Stop
                </button>
              )}
              <button type="button" className="btn btn-danger" onClick={() => setConfirm("delete")} disabled={i.status === "deleting"}>
                Delete
              </button>
            </div>
          </div>
          <nav className="tabs" aria-label="Instance sections">
            {TABS.map(([t, label]) => (
              <Link key={t} to={`/instances/${id}${t === "overview" ? "" : `/${t}`}`} className="tab" aria-current={t === tab ? "page" : undefined}>
                {label}
              </Link>
            ))}
          </nav>
          {tab === "overview" && (
            <div className="grid-main">
              <ConnectionDetails instance={i} />
              <Usage instance={i} />
            </div>
          )}
          {tab === "cli" && <WebCli instanceId={i.id} prompt={prompt} disabledReason={cliDisabled} />}
          <Suspense fallback={<p className="muted" role="status">Loading…</p>}>
            {tab === "keys" && <KeyBrowser instance={i} disabledReason={cliDisabled} />}
            {tab === "monitoring" && <MonitoringPanel instanceId={i.id} />}
          </Suspense>
          {tab === "settings" && <SettingsForm key={i.id} instance={i} onSaved={inst.setData} />}
          {confirm === "start" && (
            <ConfirmDialog
              title={`Start ${i.name}?`}
              confirmLabel="Start instance"
              onClose={() => setConfirm(null)}
              onConfirm={async () => inst.setData(await client.startInstance(id))}
            >
              <p>It accepts connections again on {prompt} with the same password; its data is as it was when it stopped.</p>
            </ConfirmDialog>
          )}
          {confirm === "stop" && (
            <ConfirmDialog
              title={`Stop ${i.name}?`}
              confirmLabel="Stop instance"
              onClose={() => setConfirm(null)}
              onConfirm={async () => inst.setData(await client.stopInstance(id))}
            >
              <p>Clients are disconnected and the port refuses connections until you start it again. The data is kept.</p>
            </ConfirmDialog>
          )}
          {confirm === "delete" && (
            <ConfirmDialog
              title={`Delete ${i.name}?`}
              confirmLabel="Delete forever"
              danger
              typeToConfirm={i.name}
              onClose={() => setConfirm(null)}
              onConfirm={async () => {
                await client.deleteInstance(id);
                navigate("/", { replace: true });
              }}
            >
              <p>The instance and all its data are removed. This cannot be undone.</p>
            </ConfirmDialog>
          )}
        </>
      )}
    </main>
  );
}
