DELETE FROM persona_members WHERE workspace = :workspace
