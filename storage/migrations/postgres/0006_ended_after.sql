-- Twin of ../0006_ended_after.sql: the end lies after this moment (a check saw it unfinished).
ALTER TABLE generations ADD COLUMN ended_after DOUBLE PRECISION;
