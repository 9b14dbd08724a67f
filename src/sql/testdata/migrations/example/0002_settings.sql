CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
-- Applied exactly once even when several processes start together: the tests count this row.
INSERT INTO settings (name, value) VALUES ('greeting', 'it''s; fine');
