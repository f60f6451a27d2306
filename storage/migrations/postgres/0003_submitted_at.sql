-- Twin of ../0003_submitted_at.sql.
ALTER TABLE generations ADD COLUMN submitted_at DOUBLE PRECISION;
