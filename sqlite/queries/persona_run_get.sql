SELECT body, at FROM persona_runs WHERE workspace = :workspace
