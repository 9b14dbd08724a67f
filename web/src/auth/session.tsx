import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { REFRESH_TOKEN_KEY, type ApiClient } from "../api/client";
import { ApiError } from "../api/errors";
import type { User } from "../api/types";

export type SessionState =
  | { status: "loading" }
  | { status: "signed-out"; reason?: "expired" | "logout" }
  | { status: "signed-in"; user: User; expired: boolean }
  | { status: "unreachable"; error: unknown };

interface SessionApi {
  state: SessionState;
  /** Re-reads /auth/me (after a login or a fixed outage). */
  refreshUser: () => void;
}

const SessionContext = createContext<SessionApi | null>(null);

export function useSession(): SessionApi {
  const s = useContext(SessionContext);
  if (!s) throw new Error("useSession outside SessionProvider");
  return s;
}

/**
 * The signed-in user. A session that expires while a page is open keeps the page (and what was
 * typed in it) and asks for the password in a dialog (`expired`), instead of navigating away.
 */
export function SessionProvider({ client, children }: { client: ApiClient; children: ReactNode }) {
  const [state, setState] = useState<SessionState>(() =>
    client.hasSession() ? { status: "loading" } : { status: "signed-out" },
  );
  const [tick, setTick] = useState(0);

  useEffect(() => {
    if (!client.hasSession()) {
      setState((s) => (s.status === "signed-in" ? { ...s, expired: true } : { status: "signed-out" }));
      return;
    }
    let live = true;
    client.me().then(
      (user) => live && setState({ status: "signed-in", user, expired: false }),
      (e: unknown) => {
        if (!live) return;
        if (e instanceof ApiError && (e.status === 401 || e.code === "session_expired")) {
          setState((s) => (s.status === "signed-in" ? { ...s, expired: true } : { status: "signed-out", reason: "expired" }));
        } else {
          setState((s) => (s.status === "signed-in" ? s : { status: "unreachable", error: e }));
        }
      },
    );
    return () => {
      live = false;
    };
  }, [client, tick]);

  useEffect(() => {
    const off = client.onSession((e) => {
      if (e === "signed-in") {
        // A fresh login waits for /me ("loading" redirects nowhere); a re-login in the expired
        // dialog keeps the page that is open.
        setState((s) => (s.status === "signed-in" ? s : { status: "loading" }));
        setTick((t) => t + 1);
      }
      else if (e === "signed-out") setState({ status: "signed-out", reason: "logout" });
      else setState((s) => (s.status === "signed-in" ? { ...s, expired: true } : { status: "signed-out", reason: "expired" }));
    });
    // Another tab logged out, or its session expired (the refresh token was removed from
    // storage): follow it; an expiry keeps this tab's page under the log-in dialog.
    const onStorage = (ev: StorageEvent) => {
      if (ev.key === REFRESH_TOKEN_KEY && ev.newValue === null) client.followSessionEnd();
    };
    window.addEventListener("storage", onStorage);
    return () => {
      off();
      window.removeEventListener("storage", onStorage);
    };
  }, [client]);

  return (
    <SessionContext.Provider value={{ state, refreshUser: () => setTick((t) => t + 1) }}>
      {children}
    </SessionContext.Provider>
  );
}
