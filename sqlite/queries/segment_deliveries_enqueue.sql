-- One delivery of a body to every destination of a segment.
INSERT INTO segment_deliveries (workspace, destination_id, body, status, next_at, created_at)
SELECT workspace, id, :body, 'pending', :at, :at FROM segment_destinations WHERE workspace = :workspace AND segment_id = :segment
