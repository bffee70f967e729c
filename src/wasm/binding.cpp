// The embind binding: thin on purpose. Numbers and plain records only, no strings on any path the
// shim calls while connected, no exceptions. The friendly API lives in js/.
#include <emscripten/bind.h>
#include <emscripten/emmalloc.h>
#include <malloc.h>

#include <cmath>
#include <string>

#include "lifeline/connection.hpp"

namespace {

using lifeline::Config;
using lifeline::Connection;
using lifeline::Output;

// Config as JavaScript passes it: every number a double (the seed too, as a 32-bit integer).
struct JsConfig {
  double ping_interval, pong_timeout, connect_timeout, reconnect_delay, max_reconnect_delay,
      backoff_factor, jitter, max_retries, min_uptime, timer_slack;
  bool answer_server_pings, pause_in_background;
  double seed;
};

Config to_config(const JsConfig& j) {
  Config c;
  c.ping_interval = j.ping_interval;
  c.pong_timeout = j.pong_timeout;
  c.connect_timeout = j.connect_timeout;
  c.reconnect_delay = j.reconnect_delay;
  c.max_reconnect_delay = j.max_reconnect_delay;
  c.backoff_factor = j.backoff_factor;
  c.jitter = j.jitter;
  c.max_retries = j.max_retries;
  c.min_uptime = j.min_uptime;
  c.timer_slack = j.timer_slack;
  c.answer_server_pings = j.answer_server_pings;
  c.pause_in_background = j.pause_in_background;
  c.seed = std::isfinite(j.seed) && j.seed >= 0 ? static_cast<std::uint64_t>(j.seed) : 0;
  return c;
}

JsConfig default_config() {
  const Config c;
  return JsConfig{c.ping_interval,
                  c.pong_timeout,
                  c.connect_timeout,
                  c.reconnect_delay,
                  c.max_reconnect_delay,
                  c.backoff_factor,
                  c.jitter,
                  c.max_retries,
                  c.min_uptime,
                  c.timer_slack,
                  c.answer_server_pings,
                  c.pause_in_background,
                  static_cast<double>(c.seed)};
}

// Bit i set: field i (lifeline::Field order) is invalid.
unsigned validate_mask(const JsConfig& j) {
  unsigned mask = 0;
  for (const auto& p : lifeline::validate(to_config(j)))
    mask |= 1u << static_cast<unsigned>(p.field);
  return mask;
}

// What field i accepts, for error messages (only called when a configuration is rejected).
std::string field_expected(int field) {
  if (field < 0 || field > static_cast<int>(lifeline::Field::kTimerSlack)) return "";
  return lifeline::field_expected(static_cast<lifeline::Field>(field));
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

class Core {
 public:
  explicit Core(const JsConfig& config) : conn_(to_config(config)) {}

  int open(double now) { return static_cast<int>(conn_.open(now)); }
  int close(double now, int code) { return static_cast<int>(conn_.close(now, code)); }
  int reconnect(double now) { return static_cast<int>(conn_.reconnect(now)); }
  void opened(unsigned id, double now) { conn_.handle_socket_opened(id, now); }
  void activity(unsigned id, double at) { conn_.handle_activity(id, at); }
  void pong(unsigned id, double now) { conn_.handle_pong(id, now); }
  void server_ping(unsigned id, double now) { conn_.handle_server_ping(id, now); }
  void error(unsigned id, double now) { conn_.handle_socket_error(id, now); }
  void closed(unsigned id, double now, int code, bool clean, bool allowed) {
    conn_.handle_socket_closed(id, now, code, clean, allowed);
  }
  void timeout(double now) { conn_.handle_timeout(now); }
  void network(bool online, double now) { conn_.handle_network(online, now); }
  void foreground(bool shown, double now) { conn_.handle_foreground(shown, now); }
  double poll_timeout() const { return conn_.poll_timeout(); }
  int state() const { return static_cast<int>(conn_.state()); }
  unsigned live_socket() const { return conn_.live_socket(); }

  JsOutput poll() {
    Output o;
    if (!conn_.poll(o)) return JsOutput{-1, 0, 0, 0, 0, false, false, 0, 0, 0};
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
    const auto& s = conn_.stats();
    return JsStats{static_cast<double>(s.attempts),   static_cast<double>(s.connects),
                   static_cast<double>(s.pings_sent), static_cast<double>(s.pongs_received),
                   static_cast<double>(s.dead_links), static_cast<double>(s.late_timers),
                   static_cast<double>(s.retries),    s.last_rtt,
                   static_cast<int>(s.state)};
  }

 private:
  Connection conn_;
};

// Bytes of the WASM heap in use: lets tests prove that reconnect cycles leak nothing.
double heap_in_use() {
  return static_cast<double>(mallinfo().uordblks);
}

}  // namespace

EMSCRIPTEN_BINDINGS(lifeline) {
  using namespace emscripten;
  value_object<JsConfig>("Config")
      .field("pingInterval", &JsConfig::ping_interval)
      .field("pongTimeout", &JsConfig::pong_timeout)
      .field("connectTimeout", &JsConfig::connect_timeout)
      .field("reconnectDelay", &JsConfig::reconnect_delay)
      .field("maxReconnectDelay", &JsConfig::max_reconnect_delay)
      .field("backoffFactor", &JsConfig::backoff_factor)
      .field("jitter", &JsConfig::jitter)
      .field("maxRetries", &JsConfig::max_retries)
      .field("minUptime", &JsConfig::min_uptime)
      .field("timerSlack", &JsConfig::timer_slack)
      .field("answerServerPings", &JsConfig::answer_server_pings)
      .field("pauseInBackground", &JsConfig::pause_in_background)
      .field("seed", &JsConfig::seed);
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
  function("defaultConfig", &default_config);
  function("validateMask", &validate_mask);
  function("fieldExpected", &field_expected);
  function("heapInUse", &heap_in_use);
  class_<Core>("Core")
      .constructor<const JsConfig&>()
      .function("open", &Core::open)
      .function("close", &Core::close)
      .function("reconnect", &Core::reconnect)
      .function("opened", &Core::opened)
      .function("activity", &Core::activity)
      .function("pong", &Core::pong)
      .function("serverPing", &Core::server_ping)
      .function("error", &Core::error)
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
