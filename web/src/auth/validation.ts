// Form checks that mirror the server's rules (auth-service.md, backend.md), so the user learns
// what to change before a round trip; the server stays the authority and its message is shown too.

const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/;

/** Returns a message, or null when the address has the form auth-service accepts. */
export function validateEmail(raw: string): string | null {
  const email = raw.trim();
  if (email === "") {
    return "Enter your email address.";
  }
  if (new TextEncoder().encode(email).length > 254) {
    return "This email address is too long.";
  }
  const at = email.lastIndexOf("@");
  if (at <= 0 || at === email.length - 1) {
    return "Enter an email address like name@example.com.";
  }
  const local = email.slice(0, at);
  const labels = email.slice(at + 1).split(".");
  if (local.length > 64 || !LOCAL_PART.test(local)) {
    return "The part before @ may use letters, digits and . _ + - (no spaces or double dots).";
  }
  const tld = labels[labels.length - 1] ?? "";
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || !/^[A-Za-z]+$/.test(tld)) {
    return "The part after @ must be a domain like example.com.";
  }
  return null;
}

export const MIN_PASSWORD_CHARS = 10;
export const MIXED_CLASSES_BELOW = 16;

function classes(p: string): number {
  let n = 0;
  if (/[a-z]/.test(p)) n++;
  if (/[A-Z]/.test(p)) n++;
  if (/[0-9]/.test(p)) n++;
  if (/[^A-Za-z0-9]/.test(p)) n++;
  return n;
}

/**
 * The sign-up password rule of auth-service (security/password_policy.cc): at least 10 characters,
 * two kinds of characters below 16, not one repeated character, not containing the email.
 * (The common-password list is left to the server, whose message is shown as it is.)
 */
export function validateNewPassword(password: string, email: string): string | null {
  const length = [...password].length;
  if (length === 0) {
    return "Choose a password.";
  }
  if (new TextEncoder().encode(password).length > 256) {
    return "Use at most 256 bytes.";
  }
  if (length < MIN_PASSWORD_CHARS) {
    return `Use at least ${MIN_PASSWORD_CHARS} characters (${length} so far).`;
  }
  if ([...password].every((c) => c === password[0])) {
    return "Do not repeat a single character.";
  }
  if (length < MIXED_CLASSES_BELOW && classes(password) < 2) {
    return `Mix two kinds of characters (lowercase, uppercase, digits, symbols), or use at least ${MIXED_CLASSES_BELOW} characters.`;
  }
  const lower = password.toLowerCase();
  const addr = email.trim().toLowerCase();
  const local = addr.split("@")[0] ?? "";
  if ((local.length >= 3 && lower.includes(local)) || (addr !== "" && lower.includes(addr))) {
    return "Do not use your email address in the password.";
  }
  return null;
}

/** A 0..4 meter for the sign-up form (length and variety), not a rule. */
export function passwordStrength(p: string): number {
  if (p.length === 0) return 0;
  let s = Math.min(2, Math.floor(p.length / 8));
  s += classes(p) >= 3 ? 2 : classes(p) >= 2 ? 1 : 0;
  return Math.max(1, Math.min(4, s));
}

const NAME = /^[A-Za-z0-9._-](?:[A-Za-z0-9 ._-]{0,62}[A-Za-z0-9._-])?$/;

/** Instance and API key names (openapi.yaml `Name`). */
export function validateName(name: string): string | null {
  if (name === "") {
    return "Enter a name.";
  }
  if (name.length > 64) {
    return "Use at most 64 characters.";
  }
  if (name.startsWith(" ") || name.endsWith(" ")) {
    return "A name cannot start or end with a space.";
  }
  if (!NAME.test(name)) {
    return "Use letters, digits, spaces, and . _ - only.";
  }
  return null;
}

export function validateMemoryMb(raw: string, max: number | null): string | null {
  if (!/^\d+$/.test(raw.trim())) {
    return "Enter a whole number of MB.";
  }
  const n = Number(raw);
  if (n < 1) {
    return "At least 1 MB.";
  }
  if (n > 65536) {
    return "At most 65536 MB.";
  }
  if (max !== null && n > max) {
    return `Your quota leaves ${max} MB.`;
  }
  return null;
}
