-- +goose Up
-- Event ids identity resolution has applied, so a messageId sent twice is
-- counted once. Kept as a 128-bit hash (the first 16 bytes of SHA-256 of
-- workspace and messageId) with the day it was applied: two integers make
-- the smallest, fastest key, and days let old entries be pruned.
-- identity_seen, the earlier table of whole ids, is still consulted while
-- it holds rows.
CREATE TABLE identity_seen_keys (
    h1  INTEGER NOT NULL,
    h2  INTEGER NOT NULL,
    day INTEGER NOT NULL,
    PRIMARY KEY (h1, h2)
) WITHOUT ROWID;
