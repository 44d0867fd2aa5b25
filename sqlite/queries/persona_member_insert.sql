INSERT INTO persona_members (workspace, persona_id, profile_id) VALUES (:workspace, :persona, :profile)
