-- +goose Up
-- The images a job runs on, as a JSON array of names; '' for the worker's host system.
ALTER TABLE jobs ADD COLUMN images TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE jobs DROP COLUMN images;
