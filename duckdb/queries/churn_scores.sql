-- Survey answers before the cutoff, per customer: how many and how good,
-- on a 0–100 scale. A response answered in steps counts once.
SELECT a.pnum, count(*), avg(CASE WHEN a.survey_type = 'nps' THEN a.score / nullif(a.max_score, 0)
                                  ELSE (a.score - 1) / nullif(a.max_score - 1, 0) END) * 100
FROM journey_answers a
WHERE a.workspace = $workspace AND a.t < $cutoff AND a.last_step AND a.survey_type IS NOT NULL AND a.score IS NOT NULL
GROUP BY a.pnum
