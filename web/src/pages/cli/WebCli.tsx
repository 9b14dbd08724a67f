import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import { ApiError, errorMessage } from "../../api/errors";
import { useClient } from "../../hooks";
import { formatReply } from "./formatReply";
import { tokenize } from "./tokenize";

interface Entry {
  id: number;
  prompt: string;
  input: string;
  output: string;
  kind: "ok" | "error" | "info";
}

const MAX_HISTORY = 200;
const MAX_ENTRIES = 500;

function historyKey(instanceId: string) {
  return `miniredis.cli-history.${instanceId}`;
}

function loadHistory(instanceId: string): string[] {
  try {
    const raw = sessionStorage.getItem(historyKey(instanceId));
    const v: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

/**
 * A redis-cli-like terminal over the command route: history with Up/Down (kept for the browser
 * session), redis-cli quoting, redis-cli reply formatting, errors in red. A line that could not
 * reach the instance (API down, 429) is put back in the input, so nothing typed is lost.
 */
export function WebCli({ instanceId, prompt, disabledReason }: { instanceId: string; prompt: string; disabledReason?: string | null }) {
  const client = useClient();
  const [entries, setEntries] = useState<Entry[]>([]);
  const [input, setInput] = useState("");
  const [busy, setBusy] = useState(false);
  const history = useRef<string[]>(loadHistory(instanceId));
  const cursor = useRef<number>(history.current.length);
  const draft = useRef("");
  const nextId = useRef(1);
  const inputRef = useRef<HTMLInputElement>(null);
  const endRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    endRef.current?.scrollIntoView?.({ block: "nearest" });
  }, [entries]);

  const push = (e: Omit<Entry, "id" | "prompt">) =>
    setEntries((old) => [...old, { ...e, id: nextId.current++, prompt }].slice(-MAX_ENTRIES));

  const remember = (line: string) => {
    const h = history.current;
    if (h[h.length - 1] !== line) h.push(line);
    if (h.length > MAX_HISTORY) h.splice(0, h.length - MAX_HISTORY);
    cursor.current = h.length;
    draft.current = "";
    try {
      sessionStorage.setItem(historyKey(instanceId), JSON.stringify(h));
    } catch {
      // history lasts as long as the page then
    }
  };

  const run = async (line: string) => {
    const trimmed = line.trim();
    if (trimmed === "") return;
    remember(trimmed);
    setInput("");
    const lower = trimmed.toLowerCase();
    if (lower === "clear") {
      setEntries([]);
      return;
    }
    if (lower === "help") {
      push({
        input: trimmed,
        kind: "info",
        output:
          'Type Redis commands as in redis-cli, e.g. SET greeting "hello world".\n' +
          "Up/Down: history · clear: clear the screen · quotes: \"...\" with \\n \\xHH escapes, or '...'.\n" +
          "Blocking, pub/sub and MULTI need a persistent connection: use redis-cli or a client.",
      });
      return;
    }
    const t = tokenize(trimmed);
    if (!t.ok) {
      push({ input: trimmed, output: t.error, kind: "error" });
      setInput(trimmed);
      return;
    }
    setBusy(true);
    try {
      const reply = await client.runCommand(instanceId, t.args);
      push({ input: trimmed, output: formatReply(reply, t.args), kind: "ok" });
    } catch (e) {
      if (e instanceof ApiError && e.code === "command_error") {
        push({ input: trimmed, output: `(error) ${e.message}`, kind: "error" });
      } else {
        const reason = e instanceof ApiError && (e.isUnavailable || e.isRateLimited || e.code === "session_expired");
        push({ input: trimmed, output: `(error) ${errorMessage(e)}`, kind: "error" });
        if (reason) setInput(trimmed);
      }
    } finally {
      setBusy(false);
      inputRef.current?.focus();
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    const h = history.current;
    if (e.key === "ArrowUp") {
      e.preventDefault();
      if (cursor.current === h.length) draft.current = input;
      if (cursor.current > 0) {
        cursor.current--;
        setInput(h[cursor.current] ?? "");
      }
    } else if (e.key === "ArrowDown") {
      e.preventDefault();
      if (cursor.current < h.length) {
        cursor.current++;
        setInput(cursor.current === h.length ? draft.current : (h[cursor.current] ?? ""));
      }
    } else if (e.key === "l" && e.ctrlKey) {
      e.preventDefault();
      setEntries([]);
    }
  };

  return (
    <section className="cli" aria-label="Web CLI">
      <div className="cli-screen" onClick={() => inputRef.current?.focus()}>
        <div role="log" aria-live="polite" aria-label="Command output">
          {entries.length === 0 && (
            <p className="cli-hint">Connected to {prompt}. Type a command (try PING or help) and press Enter.</p>
          )}
          {entries.map((en) => (
            <div key={en.id} className="cli-entry">
              <div className="cli-echo">
                <span className="cli-prompt">{en.prompt}&gt;</span> {en.input}
              </div>
              <pre className={`cli-out cli-${en.kind}`}>{en.output}</pre>
            </div>
          ))}
        </div>
        <form
          className="cli-input-row"
          onSubmit={(e) => {
            e.preventDefault();
            if (!busy) void run(input);
          }}
        >
          <label htmlFor={`cli-${instanceId}`} className="cli-prompt">
            {prompt}&gt;
          </label>
          <input
            id={`cli-${instanceId}`}
            ref={inputRef}
            className="cli-input"
            value={input}
            onChange={(e) => setInput(e.target.value)}
            onKeyDown={onKeyDown}
            autoComplete="off"
            autoCapitalize="off"
            autoCorrect="off"
            spellCheck={false}
            aria-label="Command"
            aria-busy={busy}
            readOnly={busy}
            disabled={!!disabledReason}
            placeholder={disabledReason ?? ""}
          />
        </form>
        <div ref={endRef} />
      </div>
    </section>
  );
}
