// The items of a collection key (hash, list, set, sorted set) and the entries of a stream, each
// with its edit, add and remove forms. Forms keep their input until the command succeeds.
import { useState, type FormEvent, type KeyboardEvent } from "react";
import {
  addCommand,
  COLUMNS,
  isScore,
  ITEM_LIMIT,
  removeCommand,
  replaceMemberCommands,
  SCORE_ERROR,
  setCommand,
  type KeyRow,
  type Pair,
  type StreamEntry,
} from "./keyData";

/** Runs commands in order and reports; resolves true when all succeeded. */
export type Act = (cmds: string[][], done: string) => Promise<boolean>;

const ADD_LABELS: Record<string, [string, string | null]> = {
  hash: ["Field to add", "Value to add"],
  list: ["Element to push", null],
  set: ["Member to add", null],
  zset: ["Member to add", "Score to add"],
};

export function CollectionItems({ row, pairs, act }: { row: KeyRow; pairs: Pair[]; act: Act }) {
  const cols = COLUMNS[row.type];
  if (!cols) return null;
  return (
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
            {pairs.map((p) => <ItemRow key={`${p[0]}\u0000${p[1] ?? ""}`} row={row} pair={p} act={act} />)}
          </tbody>
        </table>
      </div>
      {pairs.length >= ITEM_LIMIT && <p className="small muted">Showing the first {ITEM_LIMIT} items.</p>}
      <AddItemForm row={row} act={act} />
    </>
  );
}

/** Sets edit the member itself (replace); the other types edit the second column in place. */
function editCommands(row: KeyRow, pair: Pair, to: string): string[][] {
  if (row.type === "set") return replaceMemberCommands(row.key, pair[0], to);
  const cmd = setCommand(row.type, row.key, pair[0], to);
  return cmd ? [cmd] : [];
}

function ItemRow({ row, pair, act }: { row: KeyRow; pair: Pair; act: Act }) {
  const cols = COLUMNS[row.type]!;
  const editsFirst = row.type === "set";
  const [editing, setEditing] = useState<string | null>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const label = `New ${editsFirst ? cols[0] : cols[1]}`;

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (editing === null) return;
    if (row.type === "zset" && !isScore(editing)) {
      setInvalid(SCORE_ERROR);
      return;
    }
    setInvalid(null);
    if (await act(editCommands(row, pair, editing), "Saved.")) setEditing(null);
  };
  const cancelOnEscape = (e: KeyboardEvent) => {
    if (e.key === "Escape") setEditing(null);
  };

  const editor = editing !== null && (
    <form className="row wrap" onSubmit={save} onKeyDown={cancelOnEscape}>
      <label className="sr-only" htmlFor="edit-item">{label}</label>
      <input
        id="edit-item"
        className="mono grow"
        value={editing}
        onChange={(e) => setEditing(e.target.value)}
        aria-invalid={invalid ? true : undefined}
        aria-describedby={invalid ? "edit-item-err" : undefined}
        autoFocus
      />
      <button type="submit" className="btn btn-small btn-primary">Save</button>
      <button type="button" className="btn btn-small" onClick={() => setEditing(null)}>Cancel</button>
      {invalid && <p id="edit-item-err" className="field-error">{invalid}</p>}
    </form>
  );
  const canEdit = editsFirst || cols[1] !== null;
  const remove = removeCommand(row.type, row.key, pair);

  return (
    <tr>
      <td data-label={cols[0]} className="mono break">{editsFirst && editor ? editor : pair[0]}</td>
      {cols[1] && <td data-label={cols[1]} className="mono break">{editor || pair[1]}</td>}
      <td className="right nowrap">
        {canEdit && editing === null && (
          <button type="button" className="btn btn-small" onClick={() => setEditing((editsFirst ? pair[0] : pair[1]) ?? "")} aria-label={`Edit ${pair[0]}`}>Edit</button>
        )}
        <button type="button" className="btn btn-small btn-danger-quiet" onClick={() => remove && void act([remove], "Removed.")} aria-label={`Remove ${pair[0]}`}>Remove</button>
      </td>
    </tr>
  );
}

function AddItemForm({ row, act }: { row: KeyRow; act: Act }) {
  const labels = ADD_LABELS[row.type];
  const [first, setFirst] = useState("");
  const [second, setSecond] = useState("");
  const [invalid, setInvalid] = useState<string | null>(null);
  if (!labels) return null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (row.type === "zset" && !isScore(second)) {
      setInvalid(SCORE_ERROR);
      return;
    }
    setInvalid(null);
    const cmd = addCommand(row.type, row.key, first, second);
    if (cmd && (await act([cmd], "Added."))) {
      setFirst("");
      setSecond("");
    }
  };

  return (
    <form className="row wrap" onSubmit={submit}>
      <label className="sr-only" htmlFor="add-first">{labels[0]}</label>
      <input id="add-first" className="mono grow" placeholder={labels[0].toLowerCase()} value={first} onChange={(e) => setFirst(e.target.value)} />
      {labels[1] && (
        <>
          <label className="sr-only" htmlFor="add-second">{labels[1]}</label>
          <input
            id="add-second"
            className="mono grow"
            placeholder={labels[1].toLowerCase()}
            value={second}
            onChange={(e) => setSecond(e.target.value)}
            aria-invalid={invalid ? true : undefined}
            aria-describedby={invalid ? "add-second-err" : undefined}
          />
        </>
      )}
      <button type="submit" className="btn" disabled={first === ""}>Add</button>
      {invalid && <p id="add-second-err" className="field-error">{invalid}</p>}
    </form>
  );
}

/** A stream's entries (ID and fields), XADD of a new one and XDEL of any. Entries are immutable. */
export function StreamEntries({ row, entries, act }: { row: KeyRow; entries: StreamEntry[]; act: Act }) {
  const [field, setField] = useState("");
  const [value, setValue] = useState("");

  const add = async (e: FormEvent) => {
    e.preventDefault();
    const cmd = addCommand("stream", row.key, field, value);
    if (cmd && (await act([cmd], "Entry added."))) {
      setField("");
      setValue("");
    }
  };

  return (
    <>
      {entries.length === 0 && <p className="muted">This stream has no entries.</p>}
      {entries.length > 0 && (
        <div className="table-wrap">
          <table className="table stream-table">
            <thead>
              <tr>
                <th scope="col">Entry ID</th>
                <th scope="col">Fields</th>
                <th scope="col"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.id}>
                  <td data-label="Entry ID" className="mono nowrap">{entry.id}</td>
                  <td data-label="Fields" className="mono break">
                    {entry.fields.map(([f, v], i) => (
                      <div key={`${i}:${f}`}><span className="muted">{f}</span> {v}</div>
                    ))}
                  </td>
                  <td className="right">
                    <button type="button" className="btn btn-small btn-danger-quiet" onClick={() => void act([removeCommand("stream", row.key, [entry.id, undefined])!], "Entry deleted.")} aria-label={`Delete entry ${entry.id}`}>Delete</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {entries.length >= ITEM_LIMIT && <p className="small muted">Showing the first {ITEM_LIMIT} entries.</p>}
      <form className="row wrap" onSubmit={add}>
        <label className="sr-only" htmlFor="entry-field">Entry field</label>
        <input id="entry-field" className="mono grow" placeholder="field" value={field} onChange={(e) => setField(e.target.value)} />
        <label className="sr-only" htmlFor="entry-value">Entry value</label>
        <input id="entry-value" className="mono grow" placeholder="value" value={value} onChange={(e) => setValue(e.target.value)} />
        <button type="submit" className="btn" disabled={field === ""}>Add entry</button>
      </form>
    </>
  );
}
