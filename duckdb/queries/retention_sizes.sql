-- Cohort sizes, when each began, and how many of its customers have
-- reached each period by now (template: .Index).
SELECT cohort, count(*) AS size, min(c0) AS began, list({{printf .Index "$now"}} - c0) AS reached
FROM r_cohort GROUP BY cohort ORDER BY began, cohort
