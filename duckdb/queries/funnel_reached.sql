-- The customers at the current step, for the breakdown (template: .Cur).
INSERT INTO f_reached
SELECT $step, pnum FROM {{.Cur}} WHERE single
UNION ALL
SELECT DISTINCT $step, pnum FROM {{.Cur}} WHERE NOT single
