-- Stored computed traits of many profile rows.
SELECT profile_id, computed FROM profile_computed WHERE profile_id IN ({rows})
