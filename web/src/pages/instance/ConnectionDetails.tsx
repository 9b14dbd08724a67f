import { useState } from "react";
import type { Instance } from "../../api/types";
import { CopyButton } from "../../components/CopyButton";
import { useClient } from "../../hooks";
import { connectionItems, maskSecrets } from "./snippets";

export function ConnectionDetails({ instance }: { instance: Instance }) {
  const client = useClient();
  const [reveal, setReveal] = useState(false);
  const items = connectionItems(instance, client.baseUrl);
  return (
    <section className="card stack" aria-labelledby="conn-title">
      <div className="row-between">
        <h2 id="conn-title">Connect</h2>
        <button type="button" className="btn btn-small" aria-pressed={reveal} onClick={() => setReveal((r) => !r)}>
          {reveal ? "Hide secrets" : "Show secrets"}
        </button>
      </div>
      {!instance.url && <p className="muted">The endpoint appears once the instance is provisioned.</p>}
      <dl className="conn-list">
        {items.map((it) => (
          <div key={it.label} className="conn-item">
            <dt>{it.label}</dt>
            <dd>
              {it.multiline ? (
                // Focusable, so a keyboard can scroll a snippet wider than the card.
                <pre className="code" tabIndex={0}>{reveal || !it.secret ? it.value : maskSecrets(it.value, instance)}</pre>
              ) : (
                <code className="code-inline" tabIndex={0}>{reveal || !it.secret ? it.value : maskSecrets(it.value, instance)}</code>
              )}
              <CopyButton text={it.value} what={it.label} />
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
