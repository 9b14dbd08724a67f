import { useId, useState, type FormEvent } from "react";
import { ApiError, errorMessage } from "../../api/errors";
import { passwordStrength, validateEmail, validateNewPassword } from "../../auth/validation";
import { useClient } from "../../hooks";

type Mode = "login" | "signup";

const STRENGTH = ["", "weak", "fair", "good", "strong"];

/**
 * Email + password, for log in, sign up and the "session expired" dialog. Field errors appear
 * after the field was left or the form submitted; the server's answer (weak password, taken
 * address, throttling) is shown in the form, and nothing typed is cleared on failure.
 */
export function AuthForm({ mode, initialEmail = "", onDone }: { mode: Mode; initialEmail?: string; onDone: () => void }) {
  const client = useClient();
  const id = useId();
  const [email, setEmail] = useState(initialEmail);
  const [password, setPassword] = useState("");
  const [show, setShow] = useState(false);
  const [touched, setTouched] = useState({ email: false, password: false });
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [serverError, setServerError] = useState<unknown>(null);

  const emailError = mode === "signup" ? validateEmail(email) : email.trim() === "" ? "Enter your email address." : null;
  const passwordError =
    mode === "signup" ? validateNewPassword(password, email) : password === "" ? "Enter your password." : null;
  // Log in only says "required" after a submit; sign-up explains the rules once a field was left.
  const live = mode === "signup";
  const showEmailError = ((live && touched.email) || submitted) && emailError;
  const showPasswordError = ((live && touched.password) || submitted) && passwordError;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (emailError || passwordError || busy) return;
    setBusy(true);
    setServerError(null);
    try {
      const creds = { email: email.trim(), password };
      if (mode === "signup") await client.register(creds);
      else await client.login(creds);
      onDone();
    } catch (err) {
      setServerError(err);
    } finally {
      setBusy(false);
    }
  };

  const serverField = serverError instanceof ApiError ? serverError.code : "";
  const strength = passwordStrength(password);
  return (
    <form onSubmit={submit} noValidate className="stack">
      <div className="field">
        <label htmlFor={`${id}-email`}>Email</label>
        <input
          id={`${id}-email`}
          type="email"
          inputMode="email"
          autoComplete={mode === "signup" ? "email" : "username"}
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          onBlur={() => setTouched((t) => ({ ...t, email: true }))}
          aria-invalid={!!showEmailError || serverField === "invalid_email" || serverField === "email_unavailable"}
          aria-describedby={showEmailError ? `${id}-email-err` : undefined}
          required
        />
        {showEmailError && (
          <p id={`${id}-email-err`} className="field-error">
            {emailError}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor={`${id}-password`}>Password</label>
        <div className="input-with-button">
          <input
            id={`${id}-password`}
            type={show ? "text" : "password"}
            autoComplete={mode === "signup" ? "new-password" : "current-password"}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            onBlur={() => setTouched((t) => ({ ...t, password: true }))}
            aria-invalid={!!showPasswordError || serverField === "weak_password"}
            aria-describedby={`${id}-pw-hint${showPasswordError ? ` ${id}-pw-err` : ""}`}
            required
          />
          <button type="button" className="btn btn-small" onClick={() => setShow((s) => !s)} aria-pressed={show}>
            {show ? "Hide" : "Show"}
          </button>
        </div>
        {mode === "signup" ? (
          <p id={`${id}-pw-hint`} className="field-hint">
            At least 10 characters; below 16, mix two kinds (lowercase, uppercase, digits, symbols).
            {password !== "" && (
              <span className={`strength strength-${strength}`}> Strength: {STRENGTH[strength]}</span>
            )}
          </p>
        ) : (
          <span id={`${id}-pw-hint`} hidden />
        )}
        {showPasswordError && (
          <p id={`${id}-pw-err`} className="field-error">
            {passwordError}
          </p>
        )}
      </div>
      {serverError !== null && (
        <p className="notice notice-error" role="alert">
          {errorMessage(serverError)}
        </p>
      )}
      <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
        {busy ? (mode === "signup" ? "Creating account…" : "Logging in…") : mode === "signup" ? "Create account" : "Log in"}
      </button>
    </form>
  );
}
