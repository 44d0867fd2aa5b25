-- +goose Up
-- Computed traits change with nearly every event, traits seldom. Kept in the
-- profile row, every flush of identity resolution rewrote rows holding all
-- of a profile's traits; in a narrow table of their own it rewrites about
-- half the pages. A profile without a row here has computed nothing yet.
CREATE TABLE profile_computed (
    profile_id TEXT PRIMARY KEY REFERENCES profiles (id),
    computed   TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO profile_computed (profile_id, computed)
SELECT id, computed FROM profiles WHERE computed <> '{}' ORDER BY id;
ALTER TABLE profiles DROP COLUMN computed;
