// Every failure of an API call becomes one ApiError: the server's code, message and request id when
// it sent them, or a code of our own for what never reached it (network, timeout, bad JSON).

export type ClientErrorCode = "network_error" | "timeout" | "invalid_response" | "session_expired";

export class ApiError extends Error {
  override readonly name = "ApiError";

  constructor(
    /** HTTP status, or 0 when no answer arrived. */
    readonly status: number,
    /** The server's `error.code` (`invalid_token`, `rate_limited`, ...) or a ClientErrorCode. */
    readonly code: string,
    message: string,
    /** The server's `request_id` (body or X-Request-Id), to quote in a bug report. */
    readonly requestId: string | null = null,
    /** Seconds from Retry-After (429, 503, 504), or null. */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }

  get isRateLimited(): boolean {
    return this.status === 429;
  }

  /** The API or the network is down (not the caller's fault; trying again may work). */
  get isUnavailable(): boolean {
    return this.status === 0 || this.status === 502 || this.status === 503 || this.status === 504;
  }

  /** One sentence for the page: what happened and what to do. */
  userMessage(): string {
    if (this.code === "network_error") {
      return "Cannot reach the MiniRedis API. Check your connection; nothing you typed was lost.";
    }
    if (this.code === "timeout") {
      return "The MiniRedis API did not answer in time. Try again in a moment.";
    }
    if (this.code === "session_expired") {
      return "Your session has expired. Please log in again.";
    }
    if (this.status === 429) {
      const wait = this.retryAfter !== null ? ` Try again in ${this.retryAfter} s.` : "";
      return `Too many requests.${wait}`;
    }
    if (this.isUnavailable) {
      const wait = this.retryAfter !== null ? ` Retrying in ${this.retryAfter} s may work.` : "";
      return `The service is temporarily unavailable (${this.message}).${wait}`;
    }
    return this.message;
  }
}

/** Parses Retry-After: whole seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === "") {
    return null;
  }
  if (/^\d+$/.test(value.trim())) {
    return Number(value.trim());
  }
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** A message for any thrown value (an ApiError's user message, or a generic one). */
export function errorMessage(e: unknown): string {
  if (isApiError(e)) {
    return e.userMessage();
  }
  return e instanceof Error ? e.message : "Something went wrong.";
}
