INSERT INTO segment_destinations (workspace, id, segment_id, name, url, secret, created_at)
VALUES (:workspace, :id, :segment, :name, :url, :secret, :at)
