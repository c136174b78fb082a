package web

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/pyti/pyti/internal/report"
)

// Chart is the geometry of one server-side SVG line chart; the template draws it.
type Chart struct {
	Title         string
	Width, Height int
	// PlotLeft, PlotRight, PlotTop, PlotBottom bound the plotting area.
	PlotLeft, PlotRight, PlotTop, PlotBottom float64
	Line                                     string // polyline points
	Points                                   []ChartPoint
	YMax, YMin                               string
	XFirst, XLast                            string
	Empty                                    bool
}

// ChartPoint is one marker with its tooltip.
type ChartPoint struct {
	X, Y  float64
	Label string
}

func fmtNum(v float64) string {
	switch {
	case v == math.Trunc(v) && math.Abs(v) < 1e9:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case math.Abs(v) >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	default:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
}

func coord(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// lineChart lays out a trend as a line chart of fixed size.
func lineChart(t Trend) *Chart {
	c := &Chart{Title: t.Name, Width: 360, Height: 150, PlotLeft: 52, PlotRight: 350, PlotTop: 12, PlotBottom: 122}
	if t.Unit != "" {
		c.Title += " (" + t.Unit + ")"
	}
	if len(t.Points) == 0 {
		c.Empty = true
		return c
	}
	lo, hi := 0.0, t.Points[0].Value
	for _, p := range t.Points {
		hi = math.Max(hi, p.Value)
		lo = math.Min(lo, p.Value)
	}
	if t.Unit == "%" {
		hi = math.Max(hi, 100)
	}
	if hi == lo {
		hi = lo + 1
	}
	c.YMax, c.YMin = fmtNum(hi), fmtNum(lo)
	c.XFirst, c.XLast = t.Points[0].Version, t.Points[len(t.Points)-1].Version
	span := c.PlotRight - c.PlotLeft
	var pts []string
	for i, p := range t.Points {
		x := c.PlotLeft + span/2
		if len(t.Points) > 1 {
			x = c.PlotLeft + span*float64(i)/float64(len(t.Points)-1)
		}
		y := c.PlotBottom - (p.Value-lo)/(hi-lo)*(c.PlotBottom-c.PlotTop)
		pts = append(pts, coord(x)+","+coord(y))
		c.Points = append(c.Points, ChartPoint{X: x, Y: y, Label: p.Version + ": " + fmtNum(p.Value) + t.Unit})
	}
	c.Line = strings.Join(pts, " ")
	return c
}

// Timeline is the geometry of the task graph drawn as bars on a time axis.
type Timeline struct {
	Width, Height int
	LabelWidth    float64
	Rows          []TimelineRow
	Ticks         []Tick
	AxisY         float64
	Total         string
}

// TimelineRow is one task.
type TimelineRow struct {
	Name   string
	Status string
	Class  string
	X, W   float64
	Y      float64
	TextY  float64
	Title  string
	Note   string
	NoteX  float64
}

// Tick is one label of the time axis.
type Tick struct {
	X     float64
	Label string
}

var statusClasses = map[report.TaskStatus]string{
	report.StatusOK: "st-ok", report.StatusFailed: "st-failed", report.StatusSkipped: "st-skipped",
	report.StatusTimedOut: "st-timeout", report.StatusCancelled: "st-cancelled", report.StatusRunning: "st-running",
}

func humanMS(ms float64) string {
	switch {
	case ms < 1:
		return "<1 ms"
	case ms < 1000:
		return fmt.Sprintf("%.0f ms", ms)
	case ms < 60000:
		return fmt.Sprintf("%.1f s", ms/1000)
	default:
		d := time.Duration(ms * float64(time.Millisecond)).Round(time.Second)
		return d.String()
	}
}

// timeline lays out a run's tasks: one row each, a bar from its start to its end relative to the
// run's start; tasks that never ran get a marker and their status.
func timeline(run *report.RunRecord) *Timeline {
	if run == nil || len(run.Tasks) == 0 {
		return nil
	}
	const rowH, width, label, right = 24.0, 860, 110.0, 120.0
	tl := &Timeline{Width: width, LabelWidth: label}
	start := run.Start
	total := run.WallMS
	for _, t := range run.Tasks {
		if !t.Start.IsZero() && (start.IsZero() || t.Start.Before(start)) {
			start = t.Start
		}
	}
	for _, t := range run.Tasks {
		if !t.End.IsZero() {
			total = math.Max(total, float64(t.End.Sub(start))/float64(time.Millisecond))
		}
	}
	if total <= 0 {
		total = 1
	}
	span := float64(width) - label - right
	for i, t := range run.Tasks {
		cls, ok := statusClasses[t.Status]
		if !ok {
			cls = "st-unknown"
		}
		row := TimelineRow{Name: t.Name, Status: string(t.Status), Class: cls, Y: float64(i)*rowH + 4, TextY: float64(i)*rowH + 16}
		if t.Start.IsZero() {
			row.X, row.W = label, 3
			row.Note = string(t.Status)
			if t.Cause != "" {
				row.Note += " (" + t.Cause + ")"
			}
		} else {
			off := float64(t.Start.Sub(start)) / float64(time.Millisecond)
			row.X = label + off/total*span
			row.W = math.Max(2, t.WallMS/total*span)
			row.Note = humanMS(t.WallMS)
		}
		row.NoteX = row.X + row.W + 6
		row.Title = fmt.Sprintf("%s: %s, %s wall, %s CPU", t.Name, t.Status, humanMS(t.WallMS), humanMS(t.CPUMS))
		if t.Reason != "" {
			row.Title += " — " + t.Reason
		}
		tl.Rows = append(tl.Rows, row)
	}
	tl.AxisY = float64(len(run.Tasks))*rowH + 6
	tl.Height = int(tl.AxisY) + 22
	for i := 0; i <= 4; i++ {
		ms := total * float64(i) / 4
		tl.Ticks = append(tl.Ticks, Tick{X: label + span*float64(i)/4, Label: humanMS(ms)})
	}
	tl.Total = humanMS(total)
	return tl
}
