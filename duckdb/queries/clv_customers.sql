-- Customers in scope (template: .Scope).
SELECT count(DISTINCT j.pnum) FROM journey_events j WHERE {{.Scope}} AND j.t < $now
