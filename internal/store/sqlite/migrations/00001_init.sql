-- +goose Up
CREATE TABLE projects (
    id                INTEGER PRIMARY KEY,
    name              TEXT NOT NULL UNIQUE, -- PEP 503 normalised
    display_name      TEXT NOT NULL,
    releases          INTEGER NOT NULL DEFAULT 0,
    latest_report_id  INTEGER,
    latest_created    INTEGER NOT NULL DEFAULT 0,
    updated_at        INTEGER NOT NULL
);

CREATE TABLE releases (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id),
    version     TEXT NOT NULL,
    report_id   INTEGER,
    report_created INTEGER NOT NULL DEFAULT 0,
    reports     INTEGER NOT NULL DEFAULT 0,
    UNIQUE (project_id, version)
);

CREATE TABLE files (
    release_id  INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    filename    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    url         TEXT NOT NULL,
    yanked      INTEGER NOT NULL,
    PRIMARY KEY (release_id, filename)
);

CREATE TABLE jobs (
    id          TEXT PRIMARY KEY,
    spec        TEXT NOT NULL,
    index_url   TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('queued','running','done','failed','cancelled','quarantined')),
    created_at  INTEGER NOT NULL,
    started_at  INTEGER NOT NULL DEFAULT 0,
    finished_at INTEGER NOT NULL DEFAULT 0,
    attempts    INTEGER NOT NULL DEFAULT 0,
    verdict     TEXT NOT NULL DEFAULT '',
    error       TEXT NOT NULL DEFAULT '',
    report_id   INTEGER
);
CREATE INDEX jobs_state ON jobs(state, created_at);
CREATE INDEX jobs_created ON jobs(created_at);

CREATE TABLE attempts (
    job_id       TEXT NOT NULL REFERENCES jobs(id),
    number       INTEGER NOT NULL,
    worker       TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('running','done','failed')),
    lease_expiry INTEGER NOT NULL,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER NOT NULL DEFAULT 0,
    error        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (job_id, number)
);

CREATE TABLE reports (
    id              INTEGER PRIMARY KEY,
    job_id          TEXT NOT NULL UNIQUE REFERENCES jobs(id),
    attempt         INTEGER NOT NULL,
    report_uid      TEXT NOT NULL,
    project_id      INTEGER NOT NULL REFERENCES projects(id),
    release_id      INTEGER NOT NULL REFERENCES releases(id),
    project         TEXT NOT NULL,
    version         TEXT NOT NULL,
    verdict         TEXT NOT NULL,
    reason          TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    build           TEXT NOT NULL,
    install         TEXT NOT NULL,
    import          TEXT NOT NULL,
    tests_total     INTEGER NOT NULL,
    tests_passed    INTEGER NOT NULL,
    tests_failed    INTEGER NOT NULL,
    tests_errors    INTEGER NOT NULL,
    tests_skipped   INTEGER NOT NULL,
    coverage        REAL,
    lint_per_kloc   REAL,
    pylint_score    REAL,
    packaging_score INTEGER,
    packaging_max   INTEGER,
    findings        INTEGER NOT NULL,
    max_severity    TEXT NOT NULL,
    wall_ms         REAL NOT NULL,
    json_gz         BLOB NOT NULL
);
CREATE INDEX reports_project ON reports(project_id, id);
CREATE INDEX reports_release ON reports(release_id, id);
CREATE INDEX reports_verdict ON reports(verdict, id);

CREATE TABLE verdict_counts (
    verdict TEXT PRIMARY KEY,
    n       INTEGER NOT NULL
);
-- +goose StatementBegin
CREATE TRIGGER reports_count_insert AFTER INSERT ON reports BEGIN
    INSERT INTO verdict_counts(verdict, n) VALUES (NEW.verdict, 1)
        ON CONFLICT(verdict) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER reports_count_update AFTER UPDATE OF verdict ON reports WHEN OLD.verdict <> NEW.verdict BEGIN
    UPDATE verdict_counts SET n = n - 1 WHERE verdict = OLD.verdict;
    INSERT INTO verdict_counts(verdict, n) VALUES (NEW.verdict, 1)
        ON CONFLICT(verdict) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER reports_count_delete AFTER DELETE ON reports BEGIN
    UPDATE verdict_counts SET n = n - 1 WHERE verdict = OLD.verdict;
END;
-- +goose StatementEnd

CREATE TABLE task_runs (
    report_id   INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    name        TEXT NOT NULL,
    status      TEXT NOT NULL,
    reason      TEXT NOT NULL,
    wall_ms     REAL NOT NULL,
    cpu_ms      REAL NOT NULL,
    peak_bytes  INTEGER NOT NULL,
    PRIMARY KEY (report_id, seq)
);

CREATE TABLE tests (
    report_id   INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    nodeid      TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    class       TEXT NOT NULL,
    PRIMARY KEY (report_id, seq)
);

CREATE TABLE findings (
    report_id   INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    rule        TEXT NOT NULL,
    severity    TEXT NOT NULL,
    phase       TEXT NOT NULL,
    title       TEXT NOT NULL,
    PRIMARY KEY (report_id, seq)
);
CREATE INDEX findings_rule ON findings(rule, report_id);

CREATE TABLE blobs (
    sha256      TEXT PRIMARY KEY,
    size        INTEGER NOT NULL,
    stored_size INTEGER NOT NULL,
    text        INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);

-- +goose Down
DROP TABLE blobs;
DROP TABLE findings;
DROP TABLE tests;
DROP TABLE task_runs;
DROP TABLE verdict_counts;
DROP TABLE reports;
DROP TABLE attempts;
DROP TABLE jobs;
DROP TABLE files;
DROP TABLE releases;
DROP TABLE projects;
