import type { EvictionPolicy, Persistence } from "../../api/types";

/** One line per eviction policy, for the create dialog and the settings form. */
export const EVICTION_HELP: Record<EvictionPolicy, string> = {
  noeviction: "Refuse writes when memory is full (best for data you cannot lose).",
  "allkeys-lru": "Evict the least recently used keys (a typical cache).",
  "allkeys-lfu": "Evict the least frequently used keys (keeps popular keys).",
  "allkeys-random": "Evict random keys.",
  "volatile-lru": "Evict the least recently used keys that have a TTL.",
  "volatile-lfu": "Evict the least frequently used keys that have a TTL.",
  "volatile-random": "Evict random keys that have a TTL.",
  "volatile-ttl": "Evict the keys with a TTL that expire soonest.",
};

export const PERSISTENCE_HELP: Record<Persistence, string> = {
  "aof-everysec": "Append-only log, synced every second (lose at most ~1 s on a crash).",
  "aof-always": "Append-only log, synced on every write (safest, slower).",
  snapshot: "Periodic snapshots only (a crash loses writes since the last one).",
  none: "Nothing on disk (data is lost on restart).",
};
