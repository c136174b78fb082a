// Package master owns PYTI's scheduling: it turns submitted requests into jobs in the store (the
// truth), puts notices of them on the job queue, hands each to one worker at a time under a lease
// that the worker's heartbeats renew, takes the job back when a lease ends, retries failures of
// the infrastructure a bounded number of times before quarantining the job with the reason, and
// commits each job's one result. Its HTTP faces are the Command API (operators: submit, cancel,
// requeue, list jobs and workers; one bearer token), the Raw Data API (workers: register, claim,
// heartbeat, upload the report and raw data of an attempt they hold; one token per worker) and
// Prometheus metrics.
package master
