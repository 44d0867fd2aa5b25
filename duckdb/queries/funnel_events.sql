-- Every event that can be a step (template: .Scope), with the profile's
-- path position to order them by.
CREATE OR REPLACE TEMP TABLE f_ev AS
SELECT j.pnum, j.pos, j.t, j.key, s.step
FROM journey_events j
JOIN f_steps s ON s.act = j.act
LEFT JOIN f_keys k ON k.step = s.step AND k.key = j.key
WHERE {{.Scope}} AND j.t >= $from AND j.t <= $until AND (NOT s.filtered OR k.key IS NOT NULL)
