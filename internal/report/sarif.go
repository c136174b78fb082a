package report

import (
	"encoding/json"
	"io"
	"sort"

	"github.com/pyti/pyti/internal/buildinfo"
)

// WriteSARIF writes the findings as SARIF 2.1.0, for code-scanning tools.
func (r *Report) WriteSARIF(w io.Writer) error {
	type message struct {
		Text string `json:"text"`
	}
	type rule struct {
		ID               string  `json:"id"`
		ShortDescription message `json:"shortDescription"`
	}
	type region struct {
		StartLine int `json:"startLine,omitempty"`
	}
	type artifactLocation struct {
		URI string `json:"uri"`
	}
	type physical struct {
		ArtifactLocation artifactLocation `json:"artifactLocation"`
		Region           *region          `json:"region,omitempty"`
	}
	type location struct {
		PhysicalLocation physical `json:"physicalLocation"`
	}
	type result struct {
		RuleID     string         `json:"ruleId"`
		Level      string         `json:"level"`
		Message    message        `json:"message"`
		Locations  []location     `json:"locations,omitempty"`
		Properties map[string]any `json:"properties,omitempty"`
	}
	rules := map[string]rule{}
	var results []result
	for _, f := range r.Findings {
		rules[f.RuleID] = rule{ID: f.RuleID, ShortDescription: message{Text: f.Title}}
		res := result{RuleID: f.RuleID, Level: sarifLevel(f.Severity), Message: message{Text: f.Message},
			Properties: map[string]any{"severity": f.Severity, "phase": f.Phase, "source": f.Source, "count": f.Count}}
		for _, e := range f.Evidence {
			if e.File != "" {
				loc := location{PhysicalLocation: physical{ArtifactLocation: artifactLocation{URI: e.File}}}
				if e.Line > 0 {
					loc.PhysicalLocation.Region = &region{StartLine: e.Line}
				}
				res.Locations = append(res.Locations, loc)
			}
		}
		if len(f.Evidence) > 0 {
			details := []string{}
			for _, e := range f.Evidence {
				details = append(details, e.Detail)
			}
			res.Properties["evidence"] = details
		}
		results = append(results, res)
	}
	ruleList := make([]rule, 0, len(rules))
	for _, ru := range rules {
		ruleList = append(ruleList, ru)
	}
	sort.Slice(ruleList, func(a, b int) bool { return ruleList[a].ID < ruleList[b].ID })
	if results == nil {
		results = []result{}
	}
	doc := map[string]any{
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"version": "2.1.0",
		"runs": []any{map[string]any{
			"tool": map[string]any{"driver": map[string]any{
				"name": "pyti", "version": buildinfo.Version, "informationUri": "https://github.com/pyti/pyti", "rules": ruleList,
			}},
			"results": results,
			"properties": map[string]any{
				"project": r.Project, "version": r.Version, "verdict": r.Verdict,
			},
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func sarifLevel(s Severity) string {
	switch s {
	case SeverityCritical, SeverityHigh:
		return "error"
	case SeverityMedium:
		return "warning"
	default:
		return "note"
	}
}
