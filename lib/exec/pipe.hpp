#pragma once

#include "exec/runner.hpp"

namespace calzion::exec {

// How both sides of a pipe ended.
struct PipeResult {
    Result producer;
    Result consumer;                // empty when it never started
    bool consumer_started = false;  // false when the producer failed before any output

    bool ok() const { return producer.ok() && consumer_started && consumer.ok(); }
};

// Run `producer` on `from` and stream its stdout into the stdin of `consumer` on
// `to`, like `producer | consumer` in a shell but across two runners (`git
// archive` here into `docker build -` on a host): neither side's runner holds the
// whole stream, and the producer is slowed down to the pace of the consumer.
// The consumer starts with the producer's first output, or once the producer
// has ended without any, so that a producer that fails at once never starts it
// (and a dry run prints the two commands in pipeline order). When the consumer
// ends early, the rest of the output is dropped. The producer's `on_output` is
// not used; the consumer's `input` goes before the stream. Throws as the
// runners do.
PipeResult pipe(Runner& from, const Command& producer, Runner& to, const Command& consumer);

}  // namespace calzion::exec
