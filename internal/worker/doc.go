// Package worker owns a PYTI worker: it registers with the master, takes job notices off the
// queue, claims each job's attempt from the master, runs the analysis while heartbeating (to the
// master, renewing the lease, and to JetStream, so that the notice is not redelivered), uploads the
// raw data and the report through the Raw Data API, and acknowledges the notice only after the
// master has committed the result (or refused it as no longer this worker's).
package worker
