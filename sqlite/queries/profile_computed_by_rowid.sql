SELECT rowid, computed FROM profiles WHERE rowid IN
