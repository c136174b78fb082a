package master

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/store"
)

// metrics are the master's Prometheus metrics, in a registry of its own. The counters and
// histograms count from the master's start (Prometheus' rate() handles the reset); the gauges
// read the store.
type metrics struct {
	reg         *prometheus.Registry
	submitted   prometheus.Counter
	attempts    *prometheus.CounterVec
	expired     prometheus.Counter
	quarantined prometheus.Counter
	dispatch    prometheus.Histogram
	jobSeconds  *prometheus.HistogramVec
	taskSeconds *prometheus.HistogramVec
}

// durationBuckets reach from a second to an hour.
var durationBuckets = []float64{1, 2, 5, 10, 20, 30, 60, 90, 120, 180, 300, 600, 1200, 1800, 3600}

func newMetrics(m *Master) *metrics {
	x := &metrics{
		reg: prometheus.NewRegistry(),
		submitted: prometheus.NewCounter(prometheus.CounterOpts{Name: "pyti_jobs_submitted_total",
			Help: "Jobs submitted since this master started (counters start at zero when the master restarts; pyti_jobs counts the store)."}),
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "pyti_attempts_finished_total",
			Help: "Attempts finished since this master started, by outcome: result (a report was committed), infrastructure-failure (retried or quarantined), handed-back (a worker stopping gracefully gave it back) or permanent-failure (the job failed without a report)."}, []string{"outcome"}),
		expired: prometheus.NewCounter(prometheus.CounterOpts{Name: "pyti_leases_expired_total",
			Help: "Attempts taken back since this master started because their worker stopped heartbeating."}),
		quarantined: prometheus.NewCounter(prometheus.CounterOpts{Name: "pyti_jobs_quarantined_total",
			Help: "Jobs quarantined since this master started after their attempts failed for infrastructure reasons."}),
		dispatch: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "pyti_dispatch_seconds",
			Help: "Time from a job's submission to the start of its attempt, since this master started.", Buckets: prometheus.ExponentialBuckets(0.01, 2, 16)}),
		jobSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "pyti_analysis_seconds",
			Help: "Wall time of the analyses committed since this master started, by verdict.", Buckets: durationBuckets}, []string{"verdict"}),
		taskSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "pyti_task_seconds",
			Help: "Wall time of the tasks of the analyses committed since this master started, by task.", Buckets: durationBuckets}, []string{"task"}),
	}
	x.reg.MustRegister(x.submitted, x.attempts, x.expired, x.quarantined, x.dispatch, x.jobSeconds, x.taskSeconds)
	x.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "pyti_workers",
		Help: "Workers that heartbeat within a lease."}, func() float64 { return float64(m.workers.alive()) }))
	x.reg.MustRegister(&stateCollector{m: m,
		jobs: prometheus.NewDesc("pyti_jobs", "Jobs in the store, by state.", []string{"state"}, nil),
		depth: prometheus.NewDesc("pyti_queue_depth", "Job notices in the queue (waiting or delivered and not acknowledged).",
			nil, nil)})
	return x
}

func (x *metrics) observeReport(rep *report.Report) {
	if rep.Run == nil {
		return
	}
	x.jobSeconds.WithLabelValues(string(rep.Verdict)).Observe(rep.Run.WallMS / 1000)
	for _, t := range rep.Run.Tasks {
		if !t.Start.IsZero() {
			x.taskSeconds.WithLabelValues(t.Name).Observe(t.WallMS / 1000)
		}
	}
}

// stateCollector reads the job counts and the queue depth at scrape time.
type stateCollector struct {
	m           *Master
	jobs, depth *prometheus.Desc
}

func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.jobs
	ch <- c.depth
}

func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if counts, err := c.m.st.CountJobs(ctx); err != nil {
		ch <- prometheus.NewInvalidMetric(c.jobs, err)
	} else {
		for _, s := range []store.JobState{store.JobQueued, store.JobRunning, store.JobDone, store.JobFailed, store.JobCancelled, store.JobQuarantined} {
			ch <- prometheus.MustNewConstMetric(c.jobs, prometheus.GaugeValue, float64(counts[s]), string(s))
		}
	}
	if d, err := c.m.q.Depth(ctx); err != nil {
		ch <- prometheus.NewInvalidMetric(c.depth, err)
	} else {
		ch <- prometheus.MustNewConstMetric(c.depth, prometheus.GaugeValue, float64(d))
	}
}

// MetricsHandler serves the metrics in Prometheus' text format.
func (m *Master) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(m.metrics.reg, promhttp.HandlerOpts{})
}
