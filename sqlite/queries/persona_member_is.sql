SELECT count(*) FROM persona_members WHERE workspace = :workspace AND persona_id = :persona AND profile_id = :profile
