SELECT coalesce(max(run), 0) FROM persona_runs
