UPDATE profile_computed SET computed = ? WHERE profile_id = ?
