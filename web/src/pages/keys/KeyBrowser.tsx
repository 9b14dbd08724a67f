import { useState } from "react";
import type { Instance, RespValue } from "../../api/types";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useClient } from "../../hooks";
import { KeyEditor } from "./KeyEditor";
import { formatTtl, type Created, type KeyRow } from "./keyData";
import { NewKeyForm } from "./NewKeyForm";

const PAGE = 50;

/** SCAN with a pattern; type and TTL columns; open a key to view, edit or delete it. */
export default function KeyBrowser({ instance, disabledReason }: { instance: Instance; disabledReason: string | null }) {
  const client = useClient();
  const [pattern, setPattern] = useState("*");
  const [rows, setRows] = useState<KeyRow[]>([]);
  const [cursor, setCursor] = useState<string | null>(null); // null: no scan yet; "0": complete
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<KeyRow | null>(null);
  const [deleting, setDeleting] = useState<KeyRow | null>(null);
  const [retryTtl, setRetryTtl] = useState(""); // prefills the editor's TTL after a failed EXPIRE
  const [creations, setCreations] = useState(0); // remounts the editor when its key is created anew
  const run = (cmd: string[]) => client.runCommand(instance.id, cmd);

  /** TYPE and TTL of each key: one pipelined REST request when the instance has a REST token. */
  const describe = async (keys: string[]): Promise<KeyRow[]> => {
    if (keys.length === 0) return [];
    if (instance.rest_token) {
      const cmds = keys.flatMap((k) => [["TYPE", k], ["TTL", k]]);
      const res = await client.pipeline(instance.id, instance.rest_token, cmds);
      return keys.map((key, i) => {
        const t = res[2 * i];
        const ttl = res[2 * i + 1];
        return {
          key,
          type: t && "result" in t && typeof t.result === "string" ? t.result : "?",
          ttl: ttl && "result" in ttl && typeof ttl.result === "number" ? ttl.result : null,
        };
      });
    }
    const out: KeyRow[] = [];
    for (const key of keys) {
      const type = await run(["TYPE", key]);
      const ttl = await run(["TTL", key]);
      out.push({ key, type: String(type), ttl: typeof ttl === "number" ? ttl : null });
    }
    return out;
  };

  const scan = async (from: string, reset: boolean) => {
    setBusy(true);
    setError(null);
    try {
      let c = from;
      const found: string[] = [];
      // SCAN may answer few keys per call: keep going until a page is full or the scan ends.
      for (let i = 0; i < 20 && found.length < PAGE; i++) {
        const reply = (await run(["SCAN", c, "MATCH", pattern || "*", "COUNT", "100"])) as RespValue[];
        c = String(reply[0] ?? "0");
        for (const k of (reply[1] as RespValue[] | undefined) ?? []) if (typeof k === "string") found.push(k);
        if (c === "0") break;
      }
      const described = await describe(found);
      setRows((old) => {
        const base = reset ? [] : old;
        const seen = new Set(base.map((r) => r.key));
        return [...base, ...described.filter((r) => !seen.has(r.key))];
      });
      setCursor(c);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  /** A created key joins the top of the list (whatever the pattern) and opens in the editor. */
  const created = ({ row, expireError, ttl }: Created) => {
    setRows((old) => [row, ...old.filter((x) => x.key !== row.key)]);
    setOpen(row);
    setRetryTtl(expireError !== null ? ttl : "");
    setCreations((n) => n + 1);
  };

  if (disabledReason) return <p className="notice notice-info">{disabledReason}</p>;

  return (
    <section className="stack" aria-labelledby="keys-title">
      <h2 id="keys-title">Keys</h2>
      <form className="row wrap" onSubmit={(e) => { e.preventDefault(); void scan("0", true); }}>
        <label htmlFor="key-pattern" className="sr-only">Pattern</label>
        <input id="key-pattern" className="grow mono" value={pattern} onChange={(e) => setPattern(e.target.value)} placeholder="user:*" spellCheck={false} />
        <button type="submit" className="btn btn-primary" disabled={busy}>{busy ? "Scanning…" : "Scan"}</button>
      </form>
      <p className="small muted">Glob pattern as in SCAN MATCH: <code>*</code> any, <code>?</code> one character, <code>[ab]</code> a set.</p>
      <ErrorNotice error={error} onRetry={() => void scan(cursor && cursor !== "0" ? cursor : "0", cursor === null || cursor === "0")} />
      {cursor !== null && rows.length === 0 && !busy && <p className="muted">No keys match <code>{pattern}</code>.</p>}
      {rows.length > 0 && (
        <div className="table-wrap card">
          <table className="table keys-table">
            <thead><tr><th scope="col">Key</th><th scope="col">Type</th><th scope="col">TTL</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.key} aria-selected={open?.key === r.key}>
                  <td data-label="Key" className="mono break">
                    <button type="button" className="linklike" onClick={() => { setOpen(r); setRetryTtl(""); }}>{r.key}</button>
                  </td>
                  <td data-label="Type"><span className={`type type-${r.type}`}>{r.type}</span></td>
                  <td data-label="TTL">{formatTtl(r.ttl)}</td>
                  <td className="right">
                    <button type="button" className="btn btn-small btn-danger-quiet" onClick={() => setDeleting(r)} aria-label={`Delete key ${r.key}`}>Delete</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor !== null && cursor !== "0" && (
        <button type="button" className="btn" onClick={() => void scan(cursor, false)} disabled={busy}>Load more</button>
      )}
      {open && (
        <KeyEditor
          key={`${creations}:${open.key}`}
          instanceId={instance.id}
          row={open}
          initialTtl={retryTtl}
          onClose={() => setOpen(null)}
          onChanged={(r) => {
            setRows((old) => old.map((x) => (x.key === r.key ? r : x)));
            setOpen(r);
          }}
        />
      )}
      <NewKeyForm run={run} onCreated={created} />
      {deleting && (
        <ConfirmDialog
          title="Delete this key?"
          confirmLabel="Delete key"
          danger
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await run(["DEL", deleting.key]);
            setRows((old) => old.filter((x) => x.key !== deleting.key));
            if (open?.key === deleting.key) setOpen(null);
          }}
        >
          <p className="mono break">{deleting.key}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
