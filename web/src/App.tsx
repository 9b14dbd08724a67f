import { Component, useEffect, useState, type ErrorInfo, type ReactNode } from "react";
import type { ApiClient } from "./api/client";
import { errorMessage } from "./api/errors";
import { SessionProvider, useSession } from "./auth/session";
import { Modal } from "./components/Modal";
import { ClientContext, useClient } from "./hooks";
import { ApiKeysPage } from "./pages/api-keys/ApiKeysPage";
import { AuditLogPage } from "./pages/audit-log/AuditLogPage";
import { AuthForm } from "./pages/auth/AuthForm";
import { AuthPage } from "./pages/auth/AuthPage";
import { InstancePage } from "./pages/instance/InstancePage";
import { InstancesPage } from "./pages/instances/InstancesPage";
import { Link, matchPath, navigate, safeNext, useLocation } from "./router";
import { applyTheme, loadTheme, nextTheme, type ThemeChoice } from "./theme";

/** Catches render errors so a bug shows a message and a way back, never a blank screen. */
class ErrorBoundary extends Component<{ children: ReactNode }, { error: unknown }> {
  override state = { error: null as unknown };
  static getDerivedStateFromError(error: unknown) {
    return { error };
  }
  override componentDidCatch(_e: unknown, _info: ErrorInfo) {
    // Shown in the page below; nothing else to report to.
  }
  override render() {
    if (this.state.error) {
      return (
        <main id="main" className="page">
          <h1>Something went wrong</h1>
          <p className="notice notice-error" role="alert">{errorMessage(this.state.error)}</p>
          <button type="button" className="btn" onClick={() => { this.setState({ error: null }); navigate("/"); }}>
            Back to instances
          </button>
        </main>
      );
    }
    return this.props.children;
  }
}

function ThemeToggle() {
  const [theme, setTheme] = useState<ThemeChoice>(loadTheme);
  useEffect(() => applyTheme(theme), [theme]);
  const label = theme === "system" ? "Theme: system" : theme === "light" ? "Theme: light" : "Theme: dark";
  return (
    <button type="button" className="btn btn-small btn-quiet" onClick={() => setTheme(nextTheme(theme))} aria-label={`${label} (change)`} title={label}>
      {theme === "system" ? "◐" : theme === "light" ? "☀" : "☾"}
      <span className="hide-narrow"> {theme}</span>
    </button>
  );
}

function Header({ email }: { email: string | null }) {
  const client = useClient();
  const { path } = useLocation();
  const nav = [
    ["/", "Instances"],
    ["/api-keys", "API keys"],
    ["/activity", "Activity"],
  ] as const;
  const current = (to: string) => (to === "/" ? path === "/" || path.startsWith("/instances") : path.startsWith(to));
  return (
    <header className="topbar">
      <Link to="/" className="brand">
        <span className="brand-mark" aria-hidden="true">M</span>
        <span className="hide-narrow">MiniRedis</span>
      </Link>
      {email !== null && (
        <nav className="mainnav" aria-label="Main">
          {nav.map(([to, label]) => (
            <Link key={to} to={to} aria-current={current(to) ? "page" : undefined}>
              {label}
            </Link>
          ))}
        </nav>
      )}
      <div className="topbar-end">
        <ThemeToggle />
        {email !== null && (
          <>
            <span className="small muted hide-narrow" title="Signed in as">{email}</span>
            <button type="button" className="btn btn-small" onClick={() => void client.logout().then(() => navigate("/login"))}>
              Log out
            </button>
          </>
        )}
      </div>
    </header>
  );
}

function Routes() {
  const { state, refreshUser } = useSession();
  const { path } = useLocation();
  const isAuthPage = path === "/login" || path === "/signup";

  useEffect(() => {
    if (state.status === "signed-out" && !isAuthPage) {
      const next = window.location.pathname + window.location.search;
      navigate(next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`, { replace: true });
    }
    if (state.status === "signed-in" && isAuthPage) {
      navigate(safeNext(new URLSearchParams(window.location.search).get("next")), { replace: true });
    }
  }, [state.status, isAuthPage]);

  if (state.status === "loading") {
    return <main id="main" className="page"><p className="muted" role="status">Loading…</p></main>;
  }
  if (state.status === "unreachable") {
    return (
      <main id="main" className="page">
        <h1>The console cannot reach the API</h1>
        <p className="notice notice-error" role="alert">{errorMessage(state.error)}</p>
        <button type="button" className="btn btn-primary" onClick={refreshUser}>Try again</button>
      </main>
    );
  }
  if (state.status === "signed-out" || isAuthPage) {
    return isAuthPage ? <AuthPage mode={path === "/signup" ? "signup" : "login"} /> : null;
  }
  let page: ReactNode;
  let m: Record<string, string> | null;
  if (path === "/") page = <InstancesPage />;
  else if ((m = matchPath("/instances/:id/:tab?", path))) page = <InstancePage id={m.id!} tab={m.tab} />;
  else if (path === "/api-keys") page = <ApiKeysPage />;
  else if (path === "/activity") page = <AuditLogPage />;
  else
    page = (
      <main id="main" className="page">
        <h1>Page not found</h1>
        <p><Link to="/">Back to your instances</Link></p>
      </main>
    );
  return (
    <>
      {page}
      {state.expired && (
        <Modal title="Your session has expired" onClose={() => undefined}>
          <p className="muted">Log in again to continue; this page and what you typed stay as they are.</p>
          <AuthForm mode="login" initialEmail={state.user.email} onDone={refreshUser} />
        </Modal>
      )}
    </>
  );
}

function Shell() {
  const { state } = useSession();
  return (
    <>
      <a href="#main" className="skip-link">Skip to content</a>
      <Header email={state.status === "signed-in" ? state.user.email : null} />
      <ErrorBoundary>
        <Routes />
      </ErrorBoundary>
    </>
  );
}

export function App({ client }: { client: ApiClient }) {
  return (
    <ClientContext.Provider value={client}>
      <SessionProvider client={client}>
        <Shell />
      </SessionProvider>
    </ClientContext.Provider>
  );
}
