INSERT INTO merge_rejection_profiles (rejection_id, profile_id) VALUES (?, ?)
