INSERT INTO journey_identity
SELECT m.workspace, m.kind, m.value, m.profile_id FROM identity_map m
SEMI JOIN jr_ids i ON i.workspace = m.workspace AND i.kind = m.kind AND i.value = m.value
