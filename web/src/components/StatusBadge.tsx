import type { Instance } from "../api/types";

const LABELS: Record<Instance["status"], string> = {
  provisioning: "Provisioning",
  running: "Running",
  stopped: "Stopped",
  deleting: "Deleting",
  error: "Error",
};

export function StatusBadge({ instance }: { instance: Pick<Instance, "status" | "pending_change" | "status_message"> }) {
  const { status } = instance;
  return (
    <span className={`badge badge-${status}`} title={instance.status_message ?? undefined}>
      <span className="dot" aria-hidden="true" />
      {LABELS[status] ?? status}
      {instance.pending_change && <span className="muted"> (change pending)</span>}
    </span>
  );
}
