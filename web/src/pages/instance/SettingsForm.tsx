import { useId, useState, type FormEvent } from "react";
import { errorMessage } from "../../api/errors";
import { EVICTION_POLICIES, PERSISTENCE_MODES, type EvictionPolicy, type Instance, type InstanceUpdate, type Persistence } from "../../api/types";
import { validateMemoryMb, validateName } from "../../auth/validation";
import { useClient } from "../../hooks";
import { EVICTION_HELP, PERSISTENCE_HELP } from "../instances/policies";

/** Changes applied live (PATCH): only the fields that changed are sent. */
export function SettingsForm({ instance, onSaved }: { instance: Instance; onSaved: (i: Instance) => void }) {
  const client = useClient();
  const id = useId();
  const [name, setName] = useState(instance.name);
  const [memory, setMemory] = useState(String(instance.memory_limit_mb));
  const [policy, setPolicy] = useState<EvictionPolicy>(instance.eviction_policy);
  const [persistence, setPersistence] = useState<Persistence>(instance.persistence);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const nameError = validateName(name);
  const memoryError = validateMemoryMb(memory, null);
  const change: InstanceUpdate = {};
  if (name !== instance.name) change.name = name;
  if (!memoryError && Number(memory) !== instance.memory_limit_mb) change.memory_limit_mb = Number(memory);
  if (policy !== instance.eviction_policy) change.eviction_policy = policy;
  if (persistence !== instance.persistence) change.persistence = persistence;
  const dirty = Object.keys(change).length > 0;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (nameError || memoryError || !dirty) return;
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      onSaved(await client.updateInstance(instance.id, change));
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card stack" onSubmit={submit} noValidate aria-labelledby={`${id}-t`}>
      <h2 id={`${id}-t`}>Settings</h2>
      <div className="grid-2">
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} aria-invalid={!!nameError} aria-describedby={`${id}-name-e`} />
          {nameError && <p id={`${id}-name-e`} className="field-error">{nameError}</p>}
        </div>
        <div className="field">
          <label htmlFor={`${id}-mem`}>Memory limit (MB)</label>
          <input id={`${id}-mem`} inputMode="numeric" value={memory} onChange={(e) => setMemory(e.target.value)} aria-invalid={!!memoryError} aria-describedby={`${id}-mem-e`} />
          {memoryError && <p id={`${id}-mem-e`} className="field-error">{memoryError}</p>}
        </div>
        <div className="field">
          <label htmlFor={`${id}-pol`}>Eviction policy</label>
          <select id={`${id}-pol`} value={policy} onChange={(e) => setPolicy(e.target.value as EvictionPolicy)} aria-describedby={`${id}-pol-h`}>
            {EVICTION_POLICIES.map((p) => <option key={p}>{p}</option>)}
          </select>
          <p id={`${id}-pol-h`} className="field-hint">{EVICTION_HELP[policy]}</p>
        </div>
        <div className="field">
          <label htmlFor={`${id}-per`}>Persistence</label>
          <select id={`${id}-per`} value={persistence} onChange={(e) => setPersistence(e.target.value as Persistence)} aria-describedby={`${id}-per-h`}>
            {PERSISTENCE_MODES.map((p) => <option key={p}>{p}</option>)}
          </select>
          <p id={`${id}-per-h`} className="field-hint">{PERSISTENCE_HELP[persistence]}</p>
        </div>
      </div>
      {error !== null && <p className="notice notice-error" role="alert">{errorMessage(error)}</p>}
      {saved && !dirty && <p className="notice notice-ok" role="status">Saved; applied without a restart.</p>}
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={!dirty || busy || !!nameError || !!memoryError}>
          {busy ? "Saving…" : "Save changes"}
        </button>
      </div>
    </form>
  );
}
