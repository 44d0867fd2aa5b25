INSERT INTO persona_runs (workspace, run, body, at) VALUES (:workspace, :run, :body, :at)
ON CONFLICT (workspace) DO UPDATE SET run = excluded.run, body = excluded.body, at = excluded.at
