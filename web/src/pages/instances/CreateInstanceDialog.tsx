import { useId, useState, type FormEvent } from "react";
import { ApiError, errorMessage } from "../../api/errors";
import { EVICTION_POLICIES, PERSISTENCE_MODES, type EvictionPolicy, type Instance, type Persistence, type Quota } from "../../api/types";
import { validateMemoryMb, validateName } from "../../auth/validation";
import { Modal } from "../../components/Modal";
import { useClient } from "../../hooks";
import { EVICTION_HELP, PERSISTENCE_HELP } from "./policies";

/** Name, memory limit, eviction policy and persistence; the server's refusal is shown in place. */
export function CreateInstanceDialog({
  quota,
  onCreated,
  onClose,
}: {
  quota: Quota | undefined;
  onCreated: (i: Instance) => void;
  onClose: () => void;
}) {
  const client = useClient();
  const id = useId();
  const [name, setName] = useState("");
  const [memory, setMemory] = useState("64");
  const [policy, setPolicy] = useState<EvictionPolicy>("noeviction");
  const [persistence, setPersistence] = useState<Persistence>("aof-everysec");
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const left = quota ? Math.max(0, quota.memory_mb.limit - quota.memory_mb.used) : null;
  const nameError = validateName(name);
  const memoryError = validateMemoryMb(memory, left);
  const serverCode = error instanceof ApiError ? error.code : "";

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (nameError || memoryError || busy) return;
    setBusy(true);
    setError(null);
    try {
      const inst = await client.createInstance({
        name,
        memory_limit_mb: Number(memory),
        eviction_policy: policy,
        persistence,
      });
      onCreated(inst);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <Modal title="Create an instance" onClose={onClose} wide>
      <form onSubmit={submit} noValidate className="stack">
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input
            id={`${id}-name`}
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="cache"
            autoComplete="off"
            aria-invalid={(submitted && !!nameError) || serverCode === "name_taken" || serverCode === "invalid_name"}
            aria-describedby={`${id}-name-hint`}
          />
          <p id={`${id}-name-hint`} className={submitted && nameError ? "field-error" : "field-hint"}>
            {submitted && nameError ? nameError : "Letters, digits, spaces, . _ - (up to 64)."}
          </p>
        </div>
        <div className="field">
          <label htmlFor={`${id}-mem`}>Memory limit (MB)</label>
          <input
            id={`${id}-mem`}
            inputMode="numeric"
            value={memory}
            onChange={(e) => setMemory(e.target.value)}
            aria-invalid={(submitted && !!memoryError) || serverCode === "quota_exceeded"}
            aria-describedby={`${id}-mem-hint`}
          />
          <p id={`${id}-mem-hint`} className={submitted && memoryError ? "field-error" : "field-hint"}>
            {submitted && memoryError ? memoryError : left !== null ? `${left} MB left in your quota.` : "1 to 65536 MB."}
          </p>
        </div>
        <fieldset className="field">
          <legend>Eviction policy (when memory is full)</legend>
          <div className="choices">
            {EVICTION_POLICIES.map((p) => (
              <label key={p} className="choice">
                <input type="radio" name={`${id}-policy`} value={p} checked={policy === p} onChange={() => setPolicy(p)} />
                <span>
                  <code>{p}</code>
                  <span className="choice-help">{EVICTION_HELP[p]}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        <div className="field">
          <label htmlFor={`${id}-persist`}>Persistence</label>
          <select id={`${id}-persist`} value={persistence} onChange={(e) => setPersistence(e.target.value as Persistence)} aria-describedby={`${id}-persist-hint`}>
            {PERSISTENCE_MODES.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
          <p id={`${id}-persist-hint`} className="field-hint">
            {PERSISTENCE_HELP[persistence]}
          </p>
        </div>
        {error !== null && (
          <p className="notice notice-error" role="alert">
            {errorMessage(error)}
          </p>
        )}
        <div className="actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? "Creating…" : "Create instance"}
          </button>
        </div>
      </form>
    </Modal>
  );
}
