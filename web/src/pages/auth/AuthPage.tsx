import { Link, navigate, safeNext, useLocation, useTitle } from "../../router";
import { useSession } from "../../auth/session";
import { AuthForm } from "./AuthForm";

/** /login and /signup. After success, go back where the user was headed (?next=). */
export function AuthPage({ mode }: { mode: "login" | "signup" }) {
  useTitle(mode === "login" ? "Log in" : "Sign up");
  const { query } = useLocation();
  const { state } = useSession();
  const next = safeNext(query.get("next"));
  const expired = state.status === "signed-out" && state.reason === "expired";
  return (
    <main id="main" className="auth-page">
      <div className="auth-card card">
        <div className="brand brand-large" aria-hidden="true">
          <span className="brand-mark">M</span> MiniRedis
        </div>
        <h1>{mode === "login" ? "Log in" : "Create your account"}</h1>
        {expired && mode === "login" && (
          <p className="notice notice-info" role="status">
            Your session has expired. Please log in again.
          </p>
        )}
        <AuthForm mode={mode} onDone={() => navigate(next, { replace: true })} />
        <p className="muted center">
          {mode === "login" ? (
            <>
              New here? <Link to={`/signup${next !== "/" ? `?next=${encodeURIComponent(next)}` : ""}`}>Create an account</Link>
            </>
          ) : (
            <>
              Have an account? <Link to="/login">Log in</Link>
            </>
          )}
        </p>
      </div>
    </main>
  );
}
