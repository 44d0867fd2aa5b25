-- Run by the table appender over each batch; the batch's ids were deleted
-- just before, in the same transaction.
INSERT INTO feedback SELECT * FROM appended_data
