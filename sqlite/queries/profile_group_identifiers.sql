WITH RECURSIVE grp(id) AS (
    SELECT :id
    UNION
    SELECT p.id FROM profiles p JOIN grp ON p.merged_into = grp.id
)
SELECT i.kind, i.value, i.first_seen, i.event_id FROM identities i JOIN grp ON i.profile_id = grp.id
ORDER BY i.first_seen, i.kind, i.value
