-- The samples of a key-driver analysis in scope (template: .Scope over j,
-- .Sentiment): the answers of one survey type, a response answered in
-- steps once, or every feedback item with text and its sentiment score.
CREATE OR REPLACE TEMP TABLE dr_samples AS
{{- if .Sentiment}}
SELECT j.workspace, j.key, j.pnum, j.t, f.sentiment_score AS y, j.touch_act, f.kind
FROM journey_answers j
JOIN feedback f ON f.workspace = j.workspace AND f.event_id = j.message_id
WHERE {{.Scope}} AND j.t >= $from AND j.t < $to AND f.sentiment IS NOT NULL AND f.sentiment_score IS NOT NULL
{{- else}}
SELECT j.workspace, j.key, j.pnum, j.t, j.score AS y, j.touch_act, NULL::VARCHAR AS kind
FROM journey_answers j
WHERE {{.Scope}} AND j.t >= $from AND j.t < $to AND j.last_step AND j.survey_type = $type AND j.score IS NOT NULL
{{- end}}
