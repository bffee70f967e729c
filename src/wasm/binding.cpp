// The embind binding: thin on purpose. Numbers and plain records only, no strings on any path the
// shim calls while connected (the one string is the contract, read once at init()), no
// exceptions. The friendly API lives in js/.
#include <emscripten/bind.h>
#include <emscripten/emmalloc.h>
#include <malloc.h>

#include <optional>
#include <string>

#include "lifeline/connection.hpp"
#include "lifeline/contract.hpp"

namespace {

using lifeline::CommandResult;
using lifeline::Config;
using lifeline::Connection;
using lifeline::Output;

int result(CommandResult r) {
  return static_cast<int>(r);
}

struct JsOutput {
  int kind;  // -1: no output
  double socket, attempt, code;
  int cause;
  bool was_clean, will_reconnect;
  double value;
  int from, to;
};

struct JsStats {
  double attempts, connects, pings_sent, pongs_received, dead_links, late_timers, retries, last_rtt;
  int state;
};

// One connection. JavaScript sets each configuration field by its index in the contract
// (lifeline/contract.hpp: no field name is written here), then calls configure().
class Core {
 public:
  // False when `value` cannot be a value of field `field` (unknown index, a flag other than 0/1,
  // a seed out of range); configure() then reports that field.
  bool set(int field, double value) {
    if (field < 0 || field >= lifeline::kFieldCount) return false;
    const bool ok = lifeline::field_spec(static_cast<lifeline::Field>(field)).set(config_, value);
    if (!ok) unset_ |= 1u << static_cast<unsigned>(field);
    return ok;
  }
  // Bit i set: field i is invalid (validate() or set()). 0: the connection is built.
  unsigned configure() {
    unsigned mask = unset_;
    for (const auto& p : lifeline::validate(config_))
      mask |= 1u << static_cast<unsigned>(p.field);
    if (mask == 0 && !conn_) conn_.emplace(config_);
    return mask;
  }

  int open(double now) {
    return run([&](Connection& c) { return c.open(now); });
  }
  int close(double now, int code) {
    return run([&](Connection& c) { return c.close(now, code); });
  }
  int reconnect(double now) {
    return run([&](Connection& c) { return c.reconnect(now); });
  }
  int opened(unsigned id, double now) {
    return run([&](Connection& c) { return c.handle_socket_opened(id, now); });
  }
  int activity(unsigned id, double at) {
    return run([&](Connection& c) { return c.handle_activity(id, at); });
  }
  int pong(unsigned id, double now) {
    return run([&](Connection& c) { return c.handle_pong(id, now); });
  }
  int server_ping(unsigned id, double now) {
    return run([&](Connection& c) { return c.handle_server_ping(id, now); });
  }
  int error(unsigned id, double now) {
    return run([&](Connection& c) { return c.handle_socket_error(id, now); });
  }
  int attempt_failed(unsigned id, double now) {
    return run([&](Connection& c) { return c.handle_attempt_failed(id, now); });
  }
  int closed(unsigned id, double now, int code, bool clean, bool allowed) {
    return run(
        [&](Connection& c) { return c.handle_socket_closed(id, now, code, clean, allowed); });
  }
  int timeout(double now) {
    return run([&](Connection& c) { return c.handle_timeout(now); });
  }
  int network(bool online, double now) {
    return run([&](Connection& c) { return c.handle_network(online, now); });
  }
  int foreground(bool shown, double now) {
    return run([&](Connection& c) { return c.handle_foreground(shown, now); });
  }
  double poll_timeout() const { return conn_ ? conn_->poll_timeout() : lifeline::kNever; }
  int state() const { return static_cast<int>(conn_ ? conn_->state() : lifeline::State::kIdle); }
  unsigned live_socket() const { return conn_ ? conn_->live_socket() : 0; }

  JsOutput poll() {
    Output o;
    if (!conn_ || !conn_->poll(o)) return JsOutput{-1, 0, 0, 0, 0, false, false, 0, 0, 0};
    return JsOutput{static_cast<int>(o.kind),
                    static_cast<double>(o.socket),
                    static_cast<double>(o.attempt),
                    static_cast<double>(o.code),
                    static_cast<int>(o.cause),
                    o.was_clean,
                    o.will_reconnect,
                    o.value,
                    static_cast<int>(o.from),
                    static_cast<int>(o.to)};
  }

  JsStats stats() const {
    const lifeline::Stats none;
    const auto& s = conn_ ? conn_->stats() : none;
    return JsStats{static_cast<double>(s.attempts),   static_cast<double>(s.connects),
                   static_cast<double>(s.pings_sent), static_cast<double>(s.pongs_received),
                   static_cast<double>(s.dead_links), static_cast<double>(s.late_timers),
                   static_cast<double>(s.retries),    s.last_rtt,
                   static_cast<int>(s.state)};
  }

 private:
  template <typename F>
  int run(F f) {
    return conn_ ? result(f(*conn_)) : result(CommandResult::kInvalidConfig);
  }

  Config config_;
  unsigned unset_ = 0;
  std::optional<Connection> conn_;
};

std::string contract() {
  return lifeline::contract_json();
}

// Bytes of the WASM heap in use: lets tests prove that reconnect cycles leak nothing.
double heap_in_use() {
  return static_cast<double>(mallinfo().uordblks);
}

}  // namespace

EMSCRIPTEN_BINDINGS(lifeline) {
  using namespace emscripten;
  value_object<JsOutput>("Output")
      .field("kind", &JsOutput::kind)
      .field("socket", &JsOutput::socket)
      .field("attempt", &JsOutput::attempt)
      .field("code", &JsOutput::code)
      .field("cause", &JsOutput::cause)
      .field("wasClean", &JsOutput::was_clean)
      .field("willReconnect", &JsOutput::will_reconnect)
      .field("value", &JsOutput::value)
      .field("from", &JsOutput::from)
      .field("to", &JsOutput::to);
  value_object<JsStats>("Stats")
      .field("attempts", &JsStats::attempts)
      .field("connects", &JsStats::connects)
      .field("pingsSent", &JsStats::pings_sent)
      .field("pongsReceived", &JsStats::pongs_received)
      .field("deadLinks", &JsStats::dead_links)
      .field("lateTimers", &JsStats::late_timers)
      .field("retries", &JsStats::retries)
      .field("lastRtt", &JsStats::last_rtt)
      .field("state", &JsStats::state);
  function("contract", &contract);
  function("heapInUse", &heap_in_use);
  class_<Core>("Core")
      .constructor<>()
      .function("set", &Core::set)
      .function("configure", &Core::configure)
      .function("open", &Core::open)
      .function("close", &Core::close)
      .function("reconnect", &Core::reconnect)
      .function("opened", &Core::opened)
      .function("activity", &Core::activity)
      .function("pong", &Core::pong)
      .function("serverPing", &Core::server_ping)
      .function("error", &Core::error)
      .function("attemptFailed", &Core::attempt_failed)
      .function("closed", &Core::closed)
      .function("timeout", &Core::timeout)
      .function("network", &Core::network)
      .function("foreground", &Core::foreground)
      .function("pollTimeout", &Core::poll_timeout)
      .function("poll", &Core::poll)
      .function("state", &Core::state)
      .function("liveSocket", &Core::live_socket)
      .function("stats", &Core::stats);
}
