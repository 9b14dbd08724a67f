-- Example schema for the SQL layer's own tests (no service uses it).
CREATE TABLE users (
  id {{id_pk}},
  email TEXT NOT NULL UNIQUE,
  name TEXT,
  created_at BIGINT NOT NULL DEFAULT 0
);

/* Notes belong to users: the foreign key is enforced on both engines. */
CREATE TABLE notes (
  id {{id_pk}},
  user_id BIGINT NOT NULL REFERENCES users (id),
  body TEXT NOT NULL
);
