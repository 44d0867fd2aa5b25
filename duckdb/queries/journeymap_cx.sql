-- Survey answers (and feedback scored as one) per touchpoint they follow
-- and survey type, summed so the caller can fold touchpoints into stages
-- (template: .Scope over j). A response answered in steps counts once.
SELECT j.touch_act, j.survey_type,
       count(*) AS n,
       count(*) FILTER (WHERE j.score >= 9) AS promoters,
       count(*) FILTER (WHERE j.score <= 6) AS detractors,
       count(*) FILTER (WHERE j.score >= 0.8 * j.max_score) AS satisfied,
       sum(j.score) AS total,
       sum(CASE WHEN j.survey_type = 'nps' THEN j.score / nullif(j.max_score, 0)
                ELSE (j.score - 1) / nullif(j.max_score - 1, 0) END) * 100 AS scaled
FROM journey_answers j
WHERE {{.Scope}} AND j.t >= $from AND j.t < $to AND j.last_step AND j.touch_act IS NOT NULL AND j.score IS NOT NULL
  AND j.survey_type IN ('nps', 'csat', 'ces')
GROUP BY j.touch_act, j.survey_type
