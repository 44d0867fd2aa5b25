SELECT profile_id FROM account_members WHERE workspace = :workspace AND account_id = :account
