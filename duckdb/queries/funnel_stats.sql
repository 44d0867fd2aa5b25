-- The customers at the current step, with their times from the previous
-- step and from the start, each taken from their earliest attempt that
-- got here (template: .Cur). At the first step there are no times yet and
-- a customer's attempts only need counting once.
INSERT INTO f_reached
{{- if .First}}
SELECT DISTINCT $step, pnum, NULL::BIGINT, NULL::BIGINT FROM {{.Cur}}
{{- else}}
SELECT $step, pnum, arg_min(t - prev_t, start_pos), arg_min(t - start_t, start_pos) FROM {{.Cur}} GROUP BY pnum
{{- end}}
