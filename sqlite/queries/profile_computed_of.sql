-- Stored computed traits of profile rows; the caller appends "(?, ?, …)".
SELECT profile_id, computed FROM profile_computed WHERE profile_id IN
