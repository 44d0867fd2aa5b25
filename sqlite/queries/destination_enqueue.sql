INSERT INTO segment_deliveries (workspace, destination_id, body, status, next_at, created_at)
VALUES (:workspace, :id, :body, 'pending', :at, :at)
