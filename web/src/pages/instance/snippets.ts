import type { Instance } from "../../api/types";

export interface ConnectionItem {
  label: string;
  value: string;
  secret?: boolean;
  multiline?: boolean;
}

/** What a developer copies to connect: redis-cli, URLs, the REST token, client snippets. */
export function connectionItems(i: Instance, apiBaseUrl: string): ConnectionItem[] {
  const items: ConnectionItem[] = [];
  const restUrl = `${apiBaseUrl}/rest/${i.id}`;
  if (i.redis_cli) items.push({ label: "redis-cli", value: i.redis_cli, secret: true });
  if (i.url) items.push({ label: "Redis URL", value: i.url, secret: true });
  if (i.endpoint.host && i.endpoint.shared_port && i.password) {
    items.push({
      label: "Shared port (AUTH <id> <password>)",
      value: `redis-cli -h ${i.endpoint.host} -p ${i.endpoint.shared_port} --user ${i.id} --pass ${i.password}`,
      secret: true,
    });
  }
  items.push({ label: "REST URL", value: restUrl });
  if (i.rest_token) items.push({ label: "REST token", value: i.rest_token, secret: true });
  if (i.url) {
    items.push({
      label: "Node.js (node-redis)",
      multiline: true,
      secret: true,
      value: `import { createClient } from "redis";

const client = await createClient({ url: "${i.url}" }).connect();
await client.set("hello", "world");
console.log(await client.get("hello"));`,
    });
    items.push({
      label: "Python (redis-py)",
      multiline: true,
      secret: true,
      value: `import redis

r = redis.Redis.from_url("${i.url}", decode_responses=True)
r.set("hello", "world")
print(r.get("hello"))`,
    });
  }
  if (i.rest_token) {
    items.push({
      label: "REST (curl)",
      multiline: true,
      secret: true,
      value: `curl ${restUrl} -H "Authorization: Bearer ${i.rest_token}" -d '["SET", "hello", "world"]'`,
    });
  }
  return items;
}

/** Hides every secret of the instance inside a text, for display until "Show secrets". */
export function maskSecrets(text: string, i: Instance): string {
  let out = text;
  for (const s of [i.password, i.rest_token]) {
    if (s) out = out.split(s).join("•".repeat(12));
  }
  return out;
}
