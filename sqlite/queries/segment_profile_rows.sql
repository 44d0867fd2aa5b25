-- Profile rows' traits and computed traits; the caller appends "(?, ?, …)".
SELECT id, traits, computed FROM profiles WHERE workspace = ? AND id IN
