-- The map's events recomputed as paths of their own, for requests that
-- change what a path is made of: only some channels, activities left out,
-- or activities folded into stages (template: .Scope, .Act, .Collapse).
CREATE OR REPLACE TEMP TABLE jm_seq AS
WITH base AS (
    SELECT j.workspace, j.pnum, j.key, j.channel, {{.Act}} AS act, j.t, j.pos AS opos
    FROM journey_events j
    WHERE {{.Scope}} AND j.t >= $from AND j.t < $to
), kept AS (
    SELECT * FROM base WHERE act IS NOT NULL
{{- if .Collapse}}
), folded AS (
    SELECT * EXCLUDE (prev_act) FROM (
        SELECT *, lag(act) OVER (PARTITION BY pnum ORDER BY t, opos) AS prev_act FROM kept
    ) WHERE prev_act IS DISTINCT FROM act
{{- else}}
), folded AS (
    SELECT * FROM kept
{{- end}}
), seq AS (
    SELECT workspace, key, pnum, channel, act, t,
           row_number() OVER w AS pos,
           lag(t) OVER w AS prev_t,
           lead(act) OVER w AS next_act,
           lead(t) OVER w AS next_t,
           lag(t) OVER s AS same_prev_t,
           lag(t, 2) OVER s AS same_prev2_t
    FROM folded
    WINDOW w AS (PARTITION BY pnum ORDER BY t, opos), s AS (PARTITION BY pnum, act ORDER BY t, opos)
)
SELECT *, next_t - t AS dt, (CASE WHEN same_prev_t IS NULL THEN 1 ELSE 0 END
        | CASE WHEN prev_t IS NULL THEN 2 ELSE 0 END
        | CASE WHEN next_t IS NULL THEN 4 ELSE 0 END
        | CASE WHEN same_prev_t IS NOT NULL AND same_prev2_t IS NULL THEN 8 ELSE 0 END
        | CASE WHEN next_act IS NOT NULL AND edge_prev_t IS NULL THEN 16 ELSE 0 END)::UTINYINT AS flags
FROM (
    SELECT *, CASE WHEN next_act IS NOT NULL THEN lag(t) OVER (PARTITION BY pnum, act, next_act ORDER BY pos) END AS edge_prev_t
    FROM seq
)
