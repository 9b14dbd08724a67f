-- backend schema: owners (quota overrides and the row each user's changes lock), instances'
-- desired state, API keys (SHA-256 only) and the append-only audit log.
CREATE TABLE owners (
  user_id BIGINT PRIMARY KEY,
  -- NULL: the QUOTA_MAX_INSTANCES / QUOTA_MAX_MEMORY_MB defaults apply.
  max_instances INTEGER,
  max_memory_mb INTEGER,
  -- Bumped at the start of every quota-checked change: the row lock serializes one user's
  -- creates and resizes on PostgreSQL (SQLite serializes all writers anyway).
  revision BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);

CREATE TABLE instances (
  id TEXT PRIMARY KEY,
  owner_id BIGINT NOT NULL REFERENCES owners (user_id),
  name TEXT NOT NULL,
  memory_limit_mb INTEGER NOT NULL,
  eviction_policy TEXT NOT NULL,
  persistence TEXT NOT NULL,
  -- XChaCha20-Poly1305 with the backend's key, bound to the row id (security::SecretBox).
  password_sealed TEXT NOT NULL,
  rest_token_sealed TEXT NOT NULL,
  rest_token_hash TEXT NOT NULL UNIQUE,
  desired_state TEXT NOT NULL,       -- running | stopped | deleted
  status TEXT NOT NULL,              -- provisioning | running | stopped | deleting | error | deleted
  status_message TEXT,
  node_manager TEXT NOT NULL,        -- the base URL it was placed on
  port INTEGER,
  host TEXT,
  shared_port INTEGER,
  spec_version BIGINT NOT NULL,      -- bumped by every change of the desired state
  applied_version BIGINT NOT NULL,   -- the newest version its node-manager confirmed
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  deleted_at BIGINT
);
-- Names are unique among an owner's live instances; a deleted instance frees its name.
CREATE UNIQUE INDEX instances_owner_name ON instances (owner_id, name) WHERE deleted_at IS NULL;
CREATE INDEX instances_owner ON instances (owner_id, created_at);
CREATE INDEX instances_node ON instances (node_manager, deleted_at);
-- Changes their node-manager has not confirmed yet: what the reconciler retries every second.
CREATE INDEX instances_pending ON instances (updated_at)
  WHERE deleted_at IS NULL AND applied_version < spec_version;

CREATE TABLE api_keys (
  id {{id_pk}},
  user_id BIGINT NOT NULL,
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT,
  revoked_at BIGINT
);
CREATE INDEX api_keys_user ON api_keys (user_id);

CREATE TABLE audit_events (
  id {{id_pk}},
  at BIGINT NOT NULL,
  actor_user_id BIGINT,              -- NULL: the system (the reconciler)
  actor_api_key_id BIGINT,
  owner_id BIGINT NOT NULL,          -- whose resource changed: the events a user may read
  action TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id TEXT NOT NULL,
  details TEXT NOT NULL,             -- a JSON object
  remote_address TEXT,
  request_id TEXT
);
CREATE INDEX audit_events_owner ON audit_events (owner_id, id);
{{append_only:audit_events}}
