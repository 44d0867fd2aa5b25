-- Which profile each user id and anonymous id belongs to, kept up to date
-- by identity resolution. Events keep the identifiers they were sent with;
-- queries attribute them to profiles through this map, so a merge or an
-- unmerge shows in every query at once without rewriting events.
--
-- row_id is the profile row that first held the identifier and never
-- changes; profile_id is the profile that row reads as now (itself, or the
-- profile it was merged into).
CREATE TABLE identity_map (
    workspace  VARCHAR NOT NULL,
    kind       VARCHAR NOT NULL,
    value      VARCHAR NOT NULL,
    row_id     VARCHAR NOT NULL,
    profile_id VARCHAR NOT NULL,
    PRIMARY KEY (workspace, kind, value)
);

-- Each profile's traits as identity resolution composed them (the latest
-- value of each trait across the profile and every profile merged into it),
-- so queries can filter and break down by trait.
CREATE TABLE profile_traits (
    workspace  VARCHAR NOT NULL,
    profile_id VARCHAR NOT NULL,
    traits     JSON NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace, profile_id)
);

-- Every event with the profile it belongs to now. An event whose
-- identifiers identity resolution has not reached yet reads as its own
-- identifier ("user_id:…" or "anonymous_id:…") until it does.
CREATE VIEW profile_events AS
SELECT e.*,
       coalesce(u.profile_id, a.profile_id,
                CASE WHEN e.user_id IS NOT NULL THEN 'user_id:' || e.user_id ELSE 'anonymous_id:' || e.anonymous_id END) AS profile_id
FROM events e
LEFT JOIN identity_map u ON u.workspace = e.workspace AND u.kind = 'user_id' AND u.value = e.user_id
LEFT JOIN identity_map a ON a.workspace = e.workspace AND a.kind = 'anonymous_id' AND a.value = e.anonymous_id;
