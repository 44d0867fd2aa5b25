-- The events that can be one step (template: .Scope; .Key when a breakdown
-- reads the events), with the profile's path position to order them by. Inserted step by step, so that each
-- step's rows sit together and the step joins read only their own.
INSERT INTO f_ev
SELECT j.pnum, j.pos, j.t, {{if .Key}}j.key{{else}}NULL::UUID{{end}} AS key, $step AS step
FROM journey_events j
LEFT JOIN f_keys k ON k.step = $step AND k.key = j.key
WHERE {{.Scope}} AND j.act = $act AND j.t >= $from AND j.t <= $until AND (NOT $filtered OR k.key IS NOT NULL)
