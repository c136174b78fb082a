package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"fmt"
	"hash"
	"io"
	"path"
	"strconv"
	"strings"
)

// MismatchKind classifies a RecordMismatch.
type MismatchKind string

// The ways a wheel's RECORD can disagree with its files.
const (
	MismatchNoRecord        MismatchKind = "no-record"
	MismatchMultipleRecords MismatchKind = "multiple-records"
	MismatchNotInRecord     MismatchKind = "not-in-record"
	MismatchMissingFile     MismatchKind = "missing-file"
	MismatchHash            MismatchKind = "hash-mismatch"
	MismatchSize            MismatchKind = "size-mismatch"
	MismatchNoHash          MismatchKind = "no-hash"
	MismatchUnsupportedHash MismatchKind = "unsupported-hash"
	MismatchBadLine         MismatchKind = "bad-line"
	MismatchDuplicateEntry  MismatchKind = "duplicate-entry"
)

// RecordMismatch is one disagreement between RECORD and the wheel's files.
// Path is shown escaped (see DisplayName).
type RecordMismatch struct {
	Kind     MismatchKind `json:"kind"`
	Path     string       `json:"path,omitempty"`
	Expected string       `json:"expected,omitempty"`
	Actual   string       `json:"actual,omitempty"`
}

type recordRow struct {
	algo, digest, size string
	line               int
}

// VerifyRecord checks a wheel's *.dist-info/RECORD against the files the
// wheel actually holds: every file listed, with a matching urlsafe-base64
// digest (sha256, sha384 or sha512) and size; every listed file present.
// Mismatches are findings and come back as a list, nil when RECORD matches;
// the error is for archives that cannot be read safely at all. RECORD
// itself is capped at lim.MaxMetadataBytes (MetadataTooLarge).
func VerifyRecord(ctx context.Context, wheelPath string, lim Limits) ([]RecordMismatch, error) {
	lim = lim.withDefaults()
	src, format, err := openSource(wheelPath)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	if format.Container != Zip {
		return nil, malformedErr("", "a wheel must be a zip archive, this is %s", format.Container)
	}
	var (
		records []string
		data    []byte
		out     []RecordMismatch
	)
	err = walk(ctx, src, Zip, lim, func(m *member, body bodyReader) error {
		p, err := recordPath(m, lim)
		if err != nil || p == "" || !IsWheelRecord(p) {
			return err
		}
		records = append(records, p)
		if len(records) > 1 {
			return nil
		}
		if m.size > lim.MaxMetadataBytes {
			return &Error{Refusal: MetadataTooLarge, Member: m.name, Reason: tooLarge(m.size, lim.MaxMetadataBytes)}
		}
		data, err = io.ReadAll(io.LimitReader(body, lim.MaxMetadataBytes+1))
		if err != nil {
			return err
		}
		if int64(len(data)) > lim.MaxMetadataBytes {
			return &Error{Refusal: MetadataTooLarge, Member: m.name, Reason: tooLarge(int64(len(data)), lim.MaxMetadataBytes)}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(records) == 0 {
		return []RecordMismatch{{Kind: MismatchNoRecord}}, nil
	}
	for _, r := range records[1:] {
		out = append(out, RecordMismatch{Kind: MismatchMultipleRecords, Path: DisplayName(r), Expected: DisplayName(records[0])})
	}
	recordFile := records[0]
	rows, order, bad := parseRecord(data, lim)
	out = append(out, bad...)

	seen := map[string]bool{}
	err = walk(ctx, src, Zip, lim, func(m *member, body bodyReader) error {
		p, err := recordPath(m, lim)
		if err != nil || p == "" || seen[p] {
			return err
		}
		seen[p] = true
		row, listed := rows[p]
		switch {
		case !listed:
			if !isRecordExempt(p, recordFile) {
				out = append(out, RecordMismatch{Kind: MismatchNotInRecord, Path: DisplayName(p)})
			}
			return nil
		case p == recordFile:
			return nil
		case row.algo == "":
			out = append(out, RecordMismatch{Kind: MismatchNoHash, Path: DisplayName(p)})
			return nil
		}
		h := newRecordHash(row.algo)
		if h == nil {
			out = append(out, RecordMismatch{Kind: MismatchUnsupportedHash, Path: DisplayName(p), Expected: row.algo})
			return nil
		}
		n, err := io.Copy(h, body)
		if err != nil {
			return err
		}
		if got := base64.RawURLEncoding.EncodeToString(h.Sum(nil)); got != strings.TrimRight(row.digest, "=") {
			out = append(out, RecordMismatch{Kind: MismatchHash, Path: DisplayName(p), Expected: row.algo + "=" + row.digest, Actual: row.algo + "=" + got})
		}
		if row.size != "" {
			want, err := strconv.ParseInt(row.size, 10, 64)
			if err != nil {
				out = append(out, RecordMismatch{Kind: MismatchBadLine, Path: DisplayName(p), Actual: fmt.Sprintf("line %d: size %q", row.line, row.size)})
			} else if want != n {
				out = append(out, RecordMismatch{Kind: MismatchSize, Path: DisplayName(p), Expected: strconv.FormatInt(want, 10), Actual: strconv.FormatInt(n, 10)})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, p := range order {
		if !seen[p] {
			out = append(out, RecordMismatch{Kind: MismatchMissingFile, Path: DisplayName(p)})
		}
	}
	return out, nil
}

// recordPath returns the cleaned path of a non-directory wheel member, ""
// for directories, and refuses unsafe members.
func recordPath(m *member, lim Limits) (string, error) {
	if m.typ == typeOther {
		return "", unsafeErr(m.name, "member is a %s", m.kind)
	}
	p, _, err := cleanName(m.name, lim)
	if err != nil || m.typ == TypeDir {
		return "", err
	}
	return p, nil
}

// isRecordExempt: RECORD itself and its signatures need not be listed.
func isRecordExempt(p, recordFile string) bool {
	dir := path.Dir(recordFile)
	return p == recordFile || p == dir+"/RECORD.jws" || p == dir+"/RECORD.p7s"
}

func parseRecord(data []byte, lim Limits) (map[string]recordRow, []string, []RecordMismatch) {
	rows := map[string]recordRow{}
	var order []string
	var bad []RecordMismatch
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	for line := 1; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			bad = append(bad, RecordMismatch{Kind: MismatchBadLine, Actual: err.Error()})
			break
		}
		if len(rec) == 1 && rec[0] == "" {
			continue
		}
		if len(rec) != 3 {
			bad = append(bad, RecordMismatch{Kind: MismatchBadLine, Path: DisplayName(rec[0]), Actual: fmt.Sprintf("line %d has %d fields, want 3", line, len(rec))})
			continue
		}
		p, _, err := cleanName(rec[0], lim)
		if err != nil || p == "" {
			bad = append(bad, RecordMismatch{Kind: MismatchBadLine, Path: DisplayName(rec[0]), Actual: fmt.Sprintf("line %d: path is not inside the wheel", line)})
			continue
		}
		if _, dup := rows[p]; dup {
			bad = append(bad, RecordMismatch{Kind: MismatchDuplicateEntry, Path: DisplayName(p)})
			continue
		}
		row := recordRow{size: rec[2], line: line}
		if rec[1] != "" {
			algo, digest, ok := strings.Cut(rec[1], "=")
			if !ok {
				bad = append(bad, RecordMismatch{Kind: MismatchBadLine, Path: DisplayName(p), Actual: fmt.Sprintf("line %d: hash %q", line, rec[1])})
			}
			row.algo, row.digest = algo, digest
		}
		rows[p] = row
		order = append(order, p)
	}
	return rows, order, bad
}

func newRecordHash(algo string) hash.Hash {
	switch algo {
	case "sha256":
		return sha256.New()
	case "sha384":
		return sha512.New384()
	case "sha512":
		return sha512.New()
	}
	return nil
}
