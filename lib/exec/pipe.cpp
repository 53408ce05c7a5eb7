#include "exec/pipe.hpp"

namespace calzion::exec {

PipeResult pipe(Runner& from, const Command& producer, Runner& to, const Command& consumer) {
    PipeResult outcome;
    std::unique_ptr<Process> sink;
    bool sink_open = false;
    std::string producer_err;

    Command source = producer;
    source.on_output = [&](Stream stream, std::string_view data) {
        if (stream == Stream::err) {
            producer_err.append(data);
            return;
        }
        if (!sink) {
            sink = to.start(consumer);
            sink_open = true;
        }
        // A consumer that has ended takes nothing more; the producer still runs out.
        sink_open = sink_open && sink->write(data);
    };
    outcome.producer = from.run(source);
    outcome.producer.err = std::move(producer_err);
    if (!sink && outcome.producer.ok()) {
        sink = to.start(consumer);
    }
    if (sink) {
        outcome.consumer_started = true;
        outcome.consumer = sink->finish();
    }
    return outcome;
}

}  // namespace calzion::exec
