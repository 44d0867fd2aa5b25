-- The state of many profile rows; the caller appends "(?, ?, …)".
SELECT id, traits, computed FROM profiles WHERE id IN
