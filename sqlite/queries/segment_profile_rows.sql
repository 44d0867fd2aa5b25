-- Many profile rows' traits and computed traits.
SELECT p.id, p.traits, coalesce(c.computed, '{}')
FROM profiles p LEFT JOIN profile_computed c ON c.profile_id = p.id
WHERE p.workspace = ? AND p.id IN ({rows})
