SELECT workspace, persona_id, profile_id FROM persona_members
