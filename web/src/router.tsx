// A tiny History-API router: the console has a handful of routes, and a router library would cost
// more of the first-load budget than this file.
import { useEffect, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from "react";

const listeners = new Set<() => void>();

function subscribe(l: () => void): () => void {
  listeners.add(l);
  window.addEventListener("popstate", l);
  return () => {
    listeners.delete(l);
    window.removeEventListener("popstate", l);
  };
}

function snapshot(): string {
  return window.location.pathname + window.location.search;
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === snapshot()) {
    return;
  }
  if (opts.replace) {
    window.history.replaceState(null, "", to);
  } else {
    window.history.pushState(null, "", to);
  }
  for (const l of listeners) {
    l();
  }
}

/** The current path and query ("/instances/db-x?tab=cli"). */
export function useLocation(): { path: string; query: URLSearchParams } {
  const loc = useSyncExternalStore(subscribe, snapshot, () => "/");
  const q = loc.indexOf("?");
  return {
    path: q < 0 ? loc : loc.slice(0, q),
    query: new URLSearchParams(q < 0 ? "" : loc.slice(q)),
  };
}

/** Matches "/instances/:id/:tab?" against a path; returns the params or null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split("/").filter(Boolean);
  const s = path.split("/").filter(Boolean);
  const params: Record<string, string> = {};
  for (let i = 0; i < Math.max(p.length, s.length); i++) {
    const part = p[i];
    const seg = s[i];
    if (part === undefined) {
      return null;
    }
    const optional = part.endsWith("?");
    if (part.startsWith(":")) {
      if (seg === undefined) {
        if (!optional) return null;
        continue;
      }
      params[part.slice(1).replace(/\?$/, "")] = decodeURIComponent(seg);
    } else if (part !== seg) {
      return null;
    }
  }
  return params;
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string };

export function Link({ to, onClick, ...rest }: LinkProps) {
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) {
      return;
    }
    e.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handle} {...rest} />;
}

/** Sets document.title for a page. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · MiniRedis`;
  }, [title]);
}

/** A same-site path to return to after logging in (never another origin). */
export function safeNext(raw: string | null): string {
  return raw && raw.startsWith("/") && !raw.startsWith("//") && !raw.startsWith("/\\") ? raw : "/";
}
