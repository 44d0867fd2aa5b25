SELECT profile_id FROM persona_members
WHERE workspace = :workspace AND persona_id = :persona AND profile_id > :after
ORDER BY profile_id LIMIT :limit
