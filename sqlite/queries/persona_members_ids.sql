SELECT profile_id FROM persona_members WHERE workspace = :workspace AND persona_id = :persona ORDER BY profile_id
