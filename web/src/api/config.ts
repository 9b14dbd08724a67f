// Where the API lives. The frontend target serves /config.json with PUBLIC_API_URL, so one build
// serves every deployment; `vite` (dev) has no such file and uses VITE_API_URL or localhost:8080.

export async function loadApiUrl(fetchImpl: typeof fetch = fetch): Promise<string> {
  try {
    const r = await fetchImpl("/config.json", { cache: "no-cache" });
    if (r.ok && (r.headers.get("Content-Type") ?? "").includes("json")) {
      const c = (await r.json()) as { api_url?: unknown };
      if (typeof c.api_url === "string" && c.api_url !== "") {
        return c.api_url;
      }
    }
  } catch {
    // fall through to the build-time default
  }
  return (import.meta.env.VITE_API_URL as string | undefined) ?? "http://localhost:8080";
}
