-- Traits fed from identity resolution were stored as JSON strings wrapping
-- the object ("{\"plan\":\"pro\"}"), so segments, breakdowns and drivers by
-- trait could not see inside them. Unwrap them; new traits are stored as
-- objects.
UPDATE profile_traits SET traits = json_extract_string(traits, '$')::JSON
WHERE json_type(traits) = 'VARCHAR';
