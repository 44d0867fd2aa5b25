-- The name trait of profiles given as a JSON array.
SELECT id, json_extract(traits, '$.name.v') FROM profiles WHERE id IN (SELECT value FROM json_each(:ids)) AND json_extract(traits, '$.name.v') IS NOT NULL
