-- Every activity of the profiles to recompute, found by all of their
-- identifiers and attributed the way profile_events does, in path order
-- (time, then log sequence, then messageId).
CREATE OR REPLACE TEMP TABLE jr_events AS
WITH idents AS (
    SELECT m.workspace, m.kind, m.value FROM identity_map m
    SEMI JOIN jr_profiles d ON d.workspace = m.workspace AND d.profile_id = m.profile_id
    WHERE m.kind IN ('user_id', 'anonymous_id')
    UNION
    SELECT workspace, split_part(profile_id, ':', 1), substr(profile_id, strpos(profile_id, ':') + 1)
    FROM jr_profiles WHERE profile_id LIKE 'user_id:%' OR profile_id LIKE 'anonymous_id:%'
), keys AS (
    SELECT e.key FROM events e SEMI JOIN idents i ON i.workspace = e.workspace AND i.kind = 'user_id' AND i.value = e.user_id
    UNION
    SELECT e.key FROM events e SEMI JOIN idents i ON i.workspace = e.workspace AND i.kind = 'anonymous_id' AND i.value = e.anonymous_id
)
SELECT pe.workspace, pe.key, p.pnum, pe.user_id, pe.anonymous_id, pe.channel, pe.source_id, pe.seq, pe.message_id,
       epoch_us(pe.timestamp) AS t,
       CASE pe.type WHEN 'track' THEN pe.event ELSE pe.type || ':' || coalesce(pe.name, '') END AS activity
FROM profile_events pe
JOIN journey_profiles p ON p.workspace = pe.workspace AND p.profile_id = pe.profile_id
SEMI JOIN jr_profiles d ON d.workspace = pe.workspace AND d.profile_id = pe.profile_id
WHERE pe.key IN (SELECT key FROM keys) AND pe.type IN ('track', 'page', 'screen') AND pe.timestamp IS NOT NULL
