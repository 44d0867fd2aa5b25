-- The events that pass a step's conditions (template: .Where).
INSERT INTO f_keys SELECT $step, e.key FROM events e WHERE e.workspace = $workspace AND {{.Where}}
