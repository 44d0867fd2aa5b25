-- Cohort sizes, when each began, and how many of its customers have
-- reached each period by now.
SELECT cohort, count(*) AS size, min(c0) AS began,
       list(date_diff('{{.Period}}', c0, date_trunc('{{.Period}}', make_timestamp($now)))) AS reached
FROM r_cohort GROUP BY cohort ORDER BY began, cohort
