// A simulated clock and network around one Connection (quinn's test `Pair`): time jumps from one
// deadline or network event to the next, so no test sleeps. Every input and output is recorded
// as a trace (trace.hpp).
#pragma once

#include <functional>
#include <queue>
#include <set>
#include <string>
#include <vector>

#include "lifeline/connection.hpp"

namespace lifeline::test {

// How the far side behaves when the Sim answers the core's actions by itself (auto_respond).
struct Peer {
  enum class Server { kUp, kRefusing, kBlackhole };
  bool auto_respond = false;
  Server server = Server::kUp;
  bool link_healthy = true;  // false: half-open, nothing arrives and nothing closes
  Millis connect_latency = 50;
  Millis rtt = 40;
  // If set, each pong's rtt is drawn from it instead (a jittered link); pongs still arrive in
  // the order their pings were sent, as on one TCP connection.
  std::function<Millis()> rtt_draw;
};

class Sim {
 public:
  explicit Sim(const Config& config);

  Connection conn;
  Peer peer;
  Millis now = 0;
  bool record_trace = true;  // off for the randomized test, where formatting would dominate
  // The first input after which poll_timeout() was not later than `now` (the core's rule: after
  // any input the deadline is in the future, or kNever); empty while none was.
  std::string past_deadline;

  // Inputs, at `now`.
  CommandResult open();
  CommandResult close(int code = kCodeNormal);
  CommandResult reconnect();
  void opened(SocketId id);
  void activity(SocketId id);  // inbound data at `now`
  void pong(SocketId id);
  void server_ping(SocketId id);
  // `retry_after`: a 503's Retry-After (ms), NaN for none.
  void error(SocketId id, Millis retry_after = Connection::kNoHint);
  // The shim could not create it (URL, transport).
  void attempt_failed(SocketId id, Millis retry_after = Connection::kNoHint);
  void closed(SocketId id, int code, bool was_clean = false, bool reconnect_allowed = true,
              const std::string& reason = "");
  void network(bool online);
  void foreground(bool shown);
  void timeout();

  // Moves time to `t`, firing each deadline exactly when due and delivering the peer's events
  // in time order.
  void run_until(Millis t);
  void advance(Millis dt) { run_until(now + dt); }
  // The event loop was asleep until `t` (a frozen phone, a throttled tab): no timer fires in
  // between; the overdue deadline is handled at `t`.
  void sleep_until(Millis t);

  // Outputs since the last take().
  std::vector<Output> take();
  const std::vector<Output>& all() const { return outputs_; }
  const std::string& trace() const { return trace_; }
  // The sockets a shim would hold now: asked for, and neither closed by the core nor reported
  // gone by the socket.
  const std::set<SocketId>& held() const { return held_; }

  // The most recent output of `kind` (kind == kStateChanged never needed: use conn.state()).
  const Output* last(OutputKind kind) const;
  std::size_t count(OutputKind kind) const;
  std::vector<Millis> times_of(OutputKind kind) const;

 private:
  struct NetEvent {
    Millis at;
    std::uint64_t seq;
    enum Kind { kOpened, kPong, kError, kClosed } kind;
    SocketId id;
    int code;
    bool operator>(const NetEvent& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };
  // Records the input, drains the outputs, records the deadline (and whether an accepted input
  // left it in the past).
  void input(CommandResult result, const std::string& line);
  void respond(const Output& o);
  void schedule(Millis at, NetEvent::Kind kind, SocketId id, int code = 0);
  void deliver(const NetEvent& e);

  std::vector<Output> outputs_;
  std::vector<Millis> output_times_;
  std::size_t taken_ = 0;
  std::string trace_;
  std::set<SocketId> held_;
  std::priority_queue<NetEvent, std::vector<NetEvent>, std::greater<NetEvent>> net_;
  std::uint64_t seq_ = 0;
  Millis last_pong_at_ = 0;
};

// How many of `outputs` are of `kind`.
std::size_t count(const std::vector<Output>& outputs, OutputKind kind);

// The default configuration with a pinned backoff (1 s * 2^n, capped at 30 s) and no jitter, so
// that delays are exact and do not move when the defaults are re-tuned.
Config fixed_delays();
// Opens with the peer answering by itself, and returns the live socket once open.
SocketId open_auto(Sim& sim);

// Compares a scenario's trace with native-tests/traces/<name>.trace (rewritten when the
// environment has LIFELINE_UPDATE_TRACES=1), and checks that replaying the file reproduces it.
void expect_trace(const std::string& trace, const std::string& name);
inline void expect_trace(const Sim& sim, const std::string& name) {
  expect_trace(sim.trace(), name);
}

}  // namespace lifeline::test
