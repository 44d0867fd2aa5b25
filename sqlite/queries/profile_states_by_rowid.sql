-- The state of many profile rows by rowid; the caller appends "(?, ?, …)".
SELECT id, traits, computed FROM profiles WHERE rowid IN
