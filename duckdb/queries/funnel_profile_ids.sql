-- Profile ids of some profile numbers (template: .Pnums, rendered by the
-- caller from numbers it read).
SELECT pnum, profile_id FROM journey_profiles WHERE workspace = $workspace AND pnum IN ({{.Pnums}})
