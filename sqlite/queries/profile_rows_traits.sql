-- Profile rows' own traits and whether they read as another profile or
-- have rows merged into them, many rows at once.
SELECT p.id, p.merged_into, p.traits,
       EXISTS (SELECT 1 FROM profiles c WHERE c.merged_into = p.id) AS has_merged
FROM profiles p WHERE p.workspace = ? AND p.id IN ({rows})
