package usage

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// ImportLine is one parsed line of an import file.
type ImportLine struct {
	// Line is the 1-based line number in the file.
	Line         int
	Command      CreateAPIKeyCommand
	UsagePlanIDs []string
}

// ParseImportCSV reads API Gateway's API key CSV format: a header naming
// the columns (case-insensitive, any order) out of Name, key, description,
// Enabled and usageplanIds, of which key is required, then one key per
// line. usageplanIds holds plan ids separated by ':' or ';'. Lines that
// cannot be read are returned as errors; a bad header or file is an
// ErrImportInvalid.
func ParseImportCSV(data []byte) ([]ImportLine, []ImportError, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, ErrImportInvalid.WithMessage("The CSV file is empty; it needs a header line (Name,key,description,Enabled,usageplanIds).")
	}
	if err != nil {
		return nil, nil, ErrImportInvalid.WithMessage("The CSV header cannot be read: %s.", csvMessage(err))
	}
	col := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		switch name {
		case "name", "key", "description", "enabled", "usageplanids":
		default:
			return nil, nil, ErrImportInvalid.WithMessage("Unknown CSV column %q; the columns are Name, key, description, Enabled and usageplanIds.", h).
				WithDetail("header", "unknown_column", h)
		}
		if _, dup := col[name]; dup {
			return nil, nil, ErrImportInvalid.WithMessage("The CSV column %q appears twice.", h)
		}
		col[name] = i
	}
	if _, ok := col["key"]; !ok {
		return nil, nil, ErrImportInvalid.WithMessage("The CSV header has no key column; the columns are Name, key, description, Enabled and usageplanIds.").
			WithDetail("header", "required", "key column is required")
	}
	var lines []ImportLine
	var bad []ImportError
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, nil, ErrImportInvalid.WithMessage("The CSV file cannot be read: %s.", err)
			}
			bad = append(bad, ImportError{Line: pe.StartLine, Message: csvMessage(err)})
			continue
		}
		lineNo, _ := r.FieldPos(0)
		if len(lines)+len(bad) >= MaxImportLines {
			return nil, nil, ErrImportInvalid.WithMessage("The CSV file has more than %d keys; split it.", MaxImportLines)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != len(header) {
			bad = append(bad, ImportError{Line: lineNo, Message: fmt.Sprintf("has %d fields; the header has %d", len(rec), len(header))})
			continue
		}
		get := func(name string) string {
			if i, ok := col[name]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		l := ImportLine{Line: lineNo, Command: CreateAPIKeyCommand{Name: get("name"), Description: get("description"), Value: get("key")}}
		if l.Command.Value == "" {
			bad = append(bad, ImportError{Line: lineNo, Message: "key is empty"})
			continue
		}
		if l.Command.Name == "" {
			l.Command.Name = fmt.Sprintf("imported-%d", lineNo)
		}
		switch strings.ToLower(get("enabled")) {
		case "", "true", "yes", "1":
			l.Command.Enabled = ptr(true)
		case "false", "no", "0":
			l.Command.Enabled = ptr(false)
		default:
			bad = append(bad, ImportError{Line: lineNo, Message: fmt.Sprintf("Enabled is %q, not true or false", get("enabled"))})
			continue
		}
		for _, id := range strings.FieldsFunc(get("usageplanids"), func(r rune) bool { return r == ':' || r == ';' || r == ' ' }) {
			if !slices.Contains(l.UsagePlanIDs, id) {
				l.UsagePlanIDs = append(l.UsagePlanIDs, id)
			}
		}
		lines = append(lines, l)
	}
	return lines, bad, nil
}

func csvMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func ptr[T any](v T) *T { return &v }
