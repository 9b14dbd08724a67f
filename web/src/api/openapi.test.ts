// @vitest-environment node
// The console's API types and routes against the public contract, docs/api/openapi.yaml: a change
// there that the console does not follow fails here, naming the schema or route.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROUTES } from "./client";
import { EVICTION_POLICIES, METRICS_WINDOWS, OPTIONAL_KEYS, PERSISTENCE_MODES, SCHEMA_KEYS } from "./types";

interface Schema {
  properties?: Record<string, unknown>;
  required?: string[];
  enum?: string[];
}
interface Doc {
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, Schema> };
}

const doc = parse(readFileSync(new URL("../../../docs/api/openapi.yaml", import.meta.url), "utf8")) as Doc;
const schemas = doc.components.schemas;

describe("openapi.yaml schemas", () => {
  for (const [name, keys] of Object.entries(SCHEMA_KEYS)) {
    it(`${name} has the properties the console expects`, () => {
      const s = schemas[name];
      expect(s, `schema ${name} is missing`).toBeDefined();
      expect(Object.keys(s!.properties ?? {}).sort()).toEqual([...keys].sort());
      const optional = new Set(OPTIONAL_KEYS[name as keyof typeof SCHEMA_KEYS] ?? []);
      expect([...(s!.required ?? [])].sort()).toEqual(keys.filter((k) => !optional.has(k)).sort());
    });
  }

  it("enums match", () => {
    expect(schemas.EvictionPolicy!.enum).toEqual([...EVICTION_POLICIES]);
    expect(schemas.Persistence!.enum).toEqual([...PERSISTENCE_MODES]);
    expect(schemas.MetricsWindow!.enum).toEqual([...METRICS_WINDOWS]);
  });
});

describe("openapi.yaml routes", () => {
  const documented = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const m of ["get", "post", "patch", "delete", "put"]) {
      if (item[m]) documented.add(`${m.toUpperCase()} ${path}`);
    }
  }

  it("every route the client calls is documented", () => {
    const missing = ROUTES.map(([m, p]) => `${m} ${p}`).filter((r) => !documented.has(r));
    expect(missing).toEqual([]);
  });

  it("the client calls every /api/v1 route", () => {
    const called = new Set(ROUTES.map(([m, p]) => `${m} ${p}`));
    const uncalled = [...documented].filter((r) => r.includes(" /api/v1/") && !called.has(r));
    expect(uncalled).toEqual([]);
  });
});
