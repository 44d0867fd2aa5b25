SELECT definition FROM surveys WHERE workspace = :workspace AND id = :id
