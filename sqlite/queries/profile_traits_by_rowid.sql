SELECT id, traits FROM profiles WHERE rowid IN ({rows})
