-- The whole-path fingerprints kept by the refresh, for a map without a
-- date range (template: .Scope over j).
CREATE OR REPLACE TEMP TABLE jm_variants AS
SELECT j.pnum, j.variant AS v, j.events AS n FROM journey_profiles j WHERE {{.Scope}} AND j.events > 0
