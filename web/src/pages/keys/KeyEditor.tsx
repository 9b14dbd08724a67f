import { useState, type FormEvent } from "react";
import { errorMessage } from "../../api/errors";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useAsync, useClient } from "../../hooks";
import { addCommand, COLUMNS, formatTtl, ITEM_LIMIT, readCommand, removeCommand, setCommand, toPairs, type KeyRow, type Pair } from "./keyData";

/** One key: its value by type, edits through the matching Redis commands, TTL and delete. */
export function KeyEditor({
  instanceId,
  row,
  onClose,
  onChanged,
}: {
  instanceId: string;
  row: KeyRow;
  onClose: () => void;
  onChanged: (r: KeyRow) => void;
}) {
  const client = useClient();
  const run = (cmd: string[]) => client.runCommand(instanceId, cmd);
  const read = readCommand(row.type, row.key);
  const value = useAsync(async () => (read ? run(read) : null), [row.key]);
  const [text, setText] = useState<string | null>(null);
  const [edit, setEdit] = useState<{ first: string; second: string } | null>(null);
  const [add, setAdd] = useState({ first: "", second: "" });
  const [ttlInput, setTtlInput] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState<string | null>(null);
  const cols = COLUMNS[row.type];

  const act = async (cmd: string[] | null, done: string) => {
    if (!cmd) return;
    setError(null);
    setNote(null);
    try {
      await run(cmd);
      setNote(done);
      value.reload();
      if (cmd[0] === "EXPIRE" || cmd[0] === "PERSIST") {
        const ttl = await run(["TTL", row.key]);
        onChanged({ ...row, ttl: typeof ttl === "number" ? ttl : null });
      }
    } catch (e) {
      setError(e);
    }
  };

  const saveString = (e: FormEvent) => {
    e.preventDefault();
    if (text !== null) void act(["SET", row.key, text, "KEEPTTL"], "Saved.");
  };

  const pairs: Pair[] = value.data !== undefined && value.data !== null ? toPairs(row.type, value.data) : [];
  const stringValue = row.type === "string" && typeof value.data === "string" ? value.data : null;

  return (
    <section className="card stack key-editor" aria-labelledby="key-editor-title">
      <div className="row-between">
        <h3 id="key-editor-title" className="mono break">{row.key}</h3>
        <button type="button" className="btn btn-small" onClick={onClose}>Close</button>
      </div>
      <p className="small muted">
        Type <strong>{row.type}</strong> · TTL {formatTtl(row.ttl)}
      </p>
      <ErrorNotice error={value.error} onRetry={value.reload} />
      {!read && <p className="muted">Viewing keys of type {row.type} is not supported here; use the CLI.</p>}
      {row.type === "string" && stringValue !== null && (
        <form onSubmit={saveString} className="stack">
          <label htmlFor="string-value">Value</label>
          <textarea id="string-value" className="mono" rows={4} value={text ?? stringValue} onChange={(e) => setText(e.target.value)} spellCheck={false} />
          <div className="actions"><button type="submit" className="btn btn-primary" disabled={text === null || text === stringValue}>Save</button></div>
        </form>
      )}
      {cols && (
        <>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{cols[0]}</th>
                  {cols[1] && <th scope="col">{cols[1]}</th>}
                  <th scope="col"><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {pairs.map((p) => (
                  <tr key={`${p[0]}\u0000${p[1] ?? ""}`}>
                    <td className="mono break">{p[0]}</td>
                    {cols[1] && (
                      <td className="mono break">
                        {edit && edit.first === p[0] ? (
                          <form className="row" onSubmit={(e) => { e.preventDefault(); void act(setCommand(row.type, row.key, edit.first, edit.second), "Saved.").then(() => setEdit(null)); }}>
                            <label className="sr-only" htmlFor="edit-second">New {cols[1]}</label>
                            <input id="edit-second" className="mono grow" value={edit.second} onChange={(e) => setEdit({ ...edit, second: e.target.value })} autoFocus />
                            <button type="submit" className="btn btn-small btn-primary">Save</button>
                            <button type="button" className="btn btn-small" onClick={() => setEdit(null)}>Cancel</button>
                          </form>
                        ) : (
                          p[1]
                        )}
                      </td>
                    )}
                    <td className="right nowrap">
                      {cols[1] && (
                        <button type="button" className="btn btn-small" onClick={() => setEdit({ first: p[0], second: p[1] ?? "" })} aria-label={`Edit ${p[0]}`}>Edit</button>
                      )}
                      <button type="button" className="btn btn-small btn-danger-quiet" onClick={() => void act(removeCommand(row.type, row.key, p), "Removed.")} aria-label={`Remove ${p[0]}`}>Remove</button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {pairs.length >= ITEM_LIMIT && <p className="small muted">Showing the first {ITEM_LIMIT} items.</p>}
          <form className="row wrap" onSubmit={(e) => { e.preventDefault(); void act(addCommand(row.type, row.key, add.first, add.second), "Added.").then(() => setAdd({ first: "", second: "" })); }}>
            <label className="sr-only" htmlFor="add-first">{row.type === "list" ? "Value" : cols[0]}</label>
            <input id="add-first" className="mono grow" placeholder={row.type === "list" ? "value to push" : cols[0].toLowerCase()} value={add.first} onChange={(e) => setAdd({ ...add, first: e.target.value })} />
            {cols[1] && row.type !== "list" && (
              <>
                <label className="sr-only" htmlFor="add-second">{cols[1]}</label>
                <input id="add-second" className="mono grow" placeholder={cols[1].toLowerCase()} value={add.second} onChange={(e) => setAdd({ ...add, second: e.target.value })} />
              </>
            )}
            <button type="submit" className="btn" disabled={add.first === ""}>Add</button>
          </form>
        </>
      )}
      <form className="row wrap" onSubmit={(e) => { e.preventDefault(); if (/^\d+$/.test(ttlInput)) void act(["EXPIRE", row.key, ttlInput], "Expiry set."); else setError(new Error("Enter the TTL as whole seconds.")); }}>
        <label htmlFor="ttl-input">Expire in (s)</label>
        <input id="ttl-input" inputMode="numeric" className="narrow" value={ttlInput} onChange={(e) => setTtlInput(e.target.value)} />
        <button type="submit" className="btn btn-small">Set TTL</button>
        <button type="button" className="btn btn-small" onClick={() => void act(["PERSIST", row.key], "Expiry removed.")}>Remove TTL</button>
      </form>
      {error !== null && <p className="notice notice-error" role="alert">{errorMessage(error)}</p>}
      {note && <p className="notice notice-ok" role="status">{note}</p>}
    </section>
  );
}
