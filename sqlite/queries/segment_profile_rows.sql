-- Profile rows' traits and computed traits; the caller appends "(?, ?, …)".
SELECT p.id, p.traits, coalesce(c.computed, '{}')
FROM profiles p LEFT JOIN profile_computed c ON c.profile_id = p.id
WHERE p.workspace = ? AND p.id IN
