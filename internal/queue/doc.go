// Package queue owns PYTI's job transport over NATS JetStream: the embedded NATS server (alone or
// as a node of a cluster, with JetStream stored in the data directory), the work-queue stream that
// carries job notices from the master to the workers, and a worker's view of one delivery
// (progress, ack, nak). The store is the truth of every job; a message here only says "job X may
// be run now", so duplicates and redeliveries are harmless and the master republishes what it
// needs after a restart or an expired lease.
package queue
