SELECT coalesce(max(run), 0) + 1 FROM persona_runs
