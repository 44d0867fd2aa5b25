SELECT rules FROM identity_rules WHERE workspace = ?
