SELECT traits, computed FROM profiles WHERE id = ?
