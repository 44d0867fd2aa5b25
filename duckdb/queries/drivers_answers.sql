-- The answers of one survey type in scope (template: .Scope over j).
SELECT j.key::VARCHAR, j.pnum, j.score, j.touch_act
FROM journey_answers j
WHERE {{.Scope}} AND j.t >= $from AND j.t < $to AND j.survey_type = $type AND j.score IS NOT NULL
