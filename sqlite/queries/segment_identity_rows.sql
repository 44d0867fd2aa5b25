SELECT id, workspace, merged_into FROM profiles
