import { useEffect, useRef, useState, type FormEvent } from "react";
import { errorMessage } from "../../api/errors";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAsync, useClient } from "../../hooks";
import { CollectionItems, StreamEntries, type Act } from "./KeyItems";
import { COLUMNS, formatTtl, isTtl, readCommand, toPairs, toStreamEntries, TTL_ERROR, type KeyRow } from "./keyData";

/** One key: its value by type, edits through the matching Redis commands, TTL and delete. */
export function KeyEditor({
  instanceId,
  row,
  initialTtl = "",
  onClose,
  onChanged,
}: {
  instanceId: string;
  row: KeyRow;
  /** Prefills "Expire in" (after a create whose EXPIRE failed, so trying again is one click). */
  initialTtl?: string;
  onClose: () => void;
  onChanged: (r: KeyRow) => void;
}) {
  const client = useClient();
  const run = (cmd: string[]) => client.runCommand(instanceId, cmd);
  const read = readCommand(row.type, row.key);
  const value = useAsync(async () => (read ? run(read) : null), [row.key]);
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  // The editor opens below the list: move keyboard and screen-reader focus to it.
  useEffect(() => heading.current?.focus(), []);

  const act: Act = async (cmds, done) => {
    setError(null);
    setNote(null);
    try {
      for (const cmd of cmds) await run(cmd);
      setNote(done);
      value.reload();
      return true;
    } catch (e) {
      setError(e);
      return false;
    }
  };

  /** EXPIRE or PERSIST, then the key's new TTL for the list. */
  const changeTtl = async (cmd: string[], done: string) => {
    if (!(await act([cmd], done))) return false;
    try {
      const ttl = await run(["TTL", row.key]);
      onChanged({ ...row, ttl: typeof ttl === "number" ? ttl : null });
    } catch {
      onChanged({ ...row, ttl: null }); // the change is made; only the new TTL is unknown
    }
    return true;
  };

  const data = value.data ?? null;
  return (
    <section className="card stack key-editor" aria-labelledby="key-editor-title">
      <div className="row-between">
        <h3 id="key-editor-title" className="mono break" ref={heading} tabIndex={-1}>{row.key}</h3>
        <button type="button" className="btn btn-small" onClick={onClose}>Close</button>
      </div>
      <p className="small muted">
        Type <strong>{row.type}</strong> · TTL {formatTtl(row.ttl)}
      </p>
      <ErrorNotice error={value.error} onRetry={value.reload} />
      {!read && <Unsupported type={row.type} />}
      {row.type === "string" && typeof data === "string" && <StringValue key={data} initial={data} onSave={(v) => act([["SET", row.key, v, "KEEPTTL"]], "Saved.")} />}
      {COLUMNS[row.type] && data !== null && <CollectionItems row={row} pairs={toPairs(row.type, data)} act={act} />}
      {row.type === "stream" && data !== null && <StreamEntries row={row} entries={toStreamEntries(data)} act={act} />}
      {read && <TtlForm initial={initialTtl} onSet={(s) => changeTtl(["EXPIRE", row.key, s], "Expiry set.")} onRemove={() => changeTtl(["PERSIST", row.key], "Expiry removed.")} />}
      {error !== null && <p className="notice notice-error" role="alert">{errorMessage(error)}</p>}
      {note && <p className="notice notice-ok" role="status">{note}</p>}
    </section>
  );
}

/** Read-only: a type the console cannot show (a module's type), or a key that is gone. */
function Unsupported({ type }: { type: string }) {
  if (type === "none") {
    return <p className="notice notice-info">This key no longer exists: it expired or was deleted. Scan again to refresh the list.</p>;
  }
  return (
    <p className="notice notice-info">
      Keys of type <strong>{type}</strong> are read-only here: the console cannot show or edit them. Use the CLI tab
      to work with this key, or delete it from the list.
    </p>
  );
}

function StringValue({ initial, onSave }: { initial: string; onSave: (v: string) => Promise<boolean> }) {
  const [text, setText] = useState(initial);
  const save = (e: FormEvent) => {
    e.preventDefault();
    void onSave(text);
  };
  return (
    <form onSubmit={save} className="stack">
      <label htmlFor="string-value">Value</label>
      <textarea id="string-value" className="mono" rows={4} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />
      <div className="actions"><button type="submit" className="btn btn-primary" disabled={text === initial}>Save</button></div>
    </form>
  );
}

function TtlForm({ initial, onSet, onRemove }: { initial: string; onSet: (s: string) => Promise<boolean>; onRemove: () => Promise<boolean> }) {
  const [ttl, setTtl] = useState(initial);
  const [invalid, setInvalid] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setInvalid(!isTtl(ttl));
    if (isTtl(ttl) && (await onSet(ttl))) setTtl("");
  };
  return (
    <form className="row wrap" onSubmit={submit}>
      <label htmlFor="ttl-input">Expire in (s)</label>
      <input id="ttl-input" inputMode="numeric" className="narrow" value={ttl} onChange={(e) => setTtl(e.target.value)} aria-invalid={invalid ? true : undefined} aria-describedby={invalid ? "ttl-input-err" : undefined} />
      <button type="submit" className="btn btn-small">Set TTL</button>
      <button type="button" className="btn btn-small" onClick={() => void onRemove()}>Remove TTL</button>
      {invalid && <p id="ttl-input-err" className="field-error">{TTL_ERROR}</p>}
    </form>
  );
}
