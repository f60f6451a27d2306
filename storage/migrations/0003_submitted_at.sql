-- When the API accepted a generation: the day its usage was counted, so a refund (FAILED) is
-- taken back from that same day even when the call was slow or the row was adopted later.
ALTER TABLE generations ADD COLUMN submitted_at REAL;
