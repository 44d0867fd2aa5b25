SELECT id, json_extract(traits, '$."' || :trait || '".v') FROM profiles
WHERE workspace = :ws AND merged_into IS NULL AND json_extract(traits, '$."' || :trait || '".v') IS NOT NULL
