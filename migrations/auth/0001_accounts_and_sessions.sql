-- auth-service schema: accounts, sessions (one per login; the refresh-token family) and the
-- refresh tokens of each session. Only SHA-256 hashes of refresh tokens are stored.
CREATE TABLE users (
  id {{id_pk}},
  -- Normalised (lower-case) at the API, so UNIQUE is case-insensitive in effect.
  email TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE sessions (
  id {{id_pk}},
  user_id BIGINT NOT NULL REFERENCES users (id),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT,
  revoke_reason TEXT
);
CREATE INDEX sessions_user_id ON sessions (user_id);

CREATE TABLE refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  session_id BIGINT NOT NULL REFERENCES sessions (id),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE INDEX refresh_tokens_session_id ON refresh_tokens (session_id);
