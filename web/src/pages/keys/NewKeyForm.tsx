import { useId, useState, type FormEvent } from "react";
import { errorMessage, isApiError } from "../../api/errors";
import type { RespValue } from "../../api/types";
import { ErrorNotice } from "../../components/ErrorNotice";
import {
  CREATABLE_TYPES,
  createKey,
  emptyNewKey,
  FIELD_LABELS,
  TYPE_FIELDS,
  validateNewKey,
  type CreatableType,
  type Created,
  type FieldName,
  type NewKey,
  type NewKeyErrors,
} from "./keyData";

/**
 * "Add a key": a type selector whose inputs follow the type, an optional TTL, and a refusal to
 * overwrite an existing key. What was typed stays in the form until the key exists.
 */
export function NewKeyForm({ run, onCreated }: { run: (cmd: string[]) => Promise<RespValue>; onCreated: (c: Created) => void }) {
  const id = useId();
  const [form, setForm] = useState<NewKey>(() => emptyNewKey());
  const [errors, setErrors] = useState<NewKeyErrors>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [created, setCreated] = useState<Created | null>(null);
  const [busy, setBusy] = useState(false);

  const create = async () => {
    const found = validateNewKey(form);
    setErrors(found);
    setFailure(null);
    setCreated(null);
    const firstInvalid = (["key", ...TYPE_FIELDS[form.type], "ttl"] as const).find((n) => found[n]);
    if (firstInvalid) {
      document.getElementById(`${id}-${firstInvalid}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      const c = await createKey(run, form);
      // Everything typed is now in the key: start afresh, on the same type for the next one.
      setForm(emptyNewKey(form.type));
      setCreated(c);
      onCreated(c);
    } catch (e) {
      setFailure(e); // the form keeps its values, so trying again needs no retyping
    } finally {
      setBusy(false);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!busy) void create();
  };

  const setField = (name: FieldName, v: string) => setForm({ ...form, fields: { ...form.fields, [name]: v } });
  const input = (name: "key" | "ttl" | FieldName, label: string, value: string, onChange: (v: string) => void, numeric = false) => (
    <div className="field" key={name}>
      <label htmlFor={`${id}-${name}`}>{label}</label>
      <input
        id={`${id}-${name}`}
        className="mono"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        inputMode={numeric ? "decimal" : undefined}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={errors[name] ? true : undefined}
        aria-describedby={errors[name] ? `${id}-${name}-err` : undefined}
      />
      {errors[name] && <p id={`${id}-${name}-err`} className="field-error">{errors[name]}</p>}
    </div>
  );

  return (
    <form className="card stack" onSubmit={submit} aria-labelledby={`${id}-title`} noValidate>
      <h3 id={`${id}-title`}>Add a key</h3>
      <div className="grid-2">
        {input("key", "Key name", form.key, (v) => setForm({ ...form, key: v }))}
        <div className="field">
          <label htmlFor={`${id}-type`}>Type</label>
          <select id={`${id}-type`} value={form.type} onChange={(e) => setForm({ ...form, type: e.target.value as CreatableType })}>
            {CREATABLE_TYPES.map(([t, label]) => <option key={t} value={t}>{label}</option>)}
          </select>
        </div>
        {TYPE_FIELDS[form.type].map((name) =>
          input(name, FIELD_LABELS[name], form.fields[name], (v) => setField(name, v), name === "score"),
        )}
        {input("ttl", "TTL in seconds (optional)", form.ttl, (v) => setForm({ ...form, ttl: v }), true)}
      </div>
      {form.type === "stream" && <p className="small muted">The server assigns the entry's ID (<code>XADD key *</code>).</p>}
      <ErrorNotice
        error={failure}
        title={unsupportedTitle(failure, form.type)}
        onRetry={isTransient(failure) ? () => void create() : undefined}
      />
      {created && created.expireError !== null && (
        <p className="notice notice-error" role="alert">
          Key {created.row.key} was created, but setting its expiry failed ({errorMessage(created.expireError)}). The
          key and its value are saved, without an expiry: set the TTL again in the editor.
        </p>
      )}
      {created && created.expireError === null && <p className="notice notice-ok" role="status">Created key {created.row.key}.</p>}
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>{busy ? "Adding…" : "Add key"}</button>
      </div>
    </form>
  );
}

/** A refusal worth retrying as is: the API was down or busy, not the command wrong. */
function isTransient(e: unknown): boolean {
  return isApiError(e) && (e.isUnavailable || e.isRateLimited || e.code === "timeout");
}

/** Names the missing feature when the instance does not know the type's commands (e.g. no streams). */
function unsupportedTitle(e: unknown, type: CreatableType): string | undefined {
  if (!isApiError(e) || e.code !== "command_error" || !/unknown command/i.test(e.message)) return undefined;
  const label = CREATABLE_TYPES.find(([t]) => t === type)?.[1] ?? type;
  return `This instance does not support ${label.toLowerCase()} keys`;
}
