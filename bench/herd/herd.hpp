// lifeline_herd: a thundering-herd benchmark on a simulated clock.
//
// N clients lose their connection at t = 0. The server is down (every attempt refused at once)
// until `outage_ms`, then accepts at most `capacity_per_s` new connections per second (fixed
// one-second windows starting at its return; attempts beyond a window's quota are refused at once
// and count as failed attempts). An accepted attempt opens `open_latency_ms` later and the client
// then stays connected. Each policy decides when its clients retry; ws-lifeline's clients are the
// real lifeline::Connection, driven through its real inputs.
//
// The simulation is an event queue of (time, client): the cost is O(events log clients), and no
// client is looked at unless one of its events is due.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace herd {

enum class Policy : std::uint8_t {
  kClassic,                // the seed pattern: a fixed 5 s, 12 reconnects over the client's life
  kReconnectingWebSocket,  // reconnecting-websocket 4.x defaults
  kSocketIo,               // socket.io-client's Manager defaults (backo2)
  kLifeline,               // lifeline::Connection with its defaults
  kLifeline10s,            // the same with max_reconnect_delay 10 s (a tuning for fast herds)
  kClassicCore,            // the seed pattern as lifeline::Config::seed_pattern() (--check only)
};

const char* policy_name(Policy policy);
const char* policy_description(Policy policy);

struct Scenario {
  std::uint32_t clients = 10000;
  double capacity_per_s = 1000;  // new connections accepted per one-second window
  double outage_ms = 30000;      // every attempt before this is refused
  double open_latency_ms = 20;   // accepted attempt -> open
  std::uint64_t seed = 1;        // all random draws derive from it (per client)

  // clients / capacity: the time after the server's return that a perfect schedule needs.
  double ideal_ms() const { return clients / capacity_per_s * 1000.0; }
};

inline constexpr double kBinMs = 100;  // the resolution of the attempt and back-in histograms

struct Result {
  Policy policy = Policy::kLifeline;
  Scenario scenario;

  std::uint64_t attempts = 0;  // sockets asked for (accepted + refused)
  std::uint64_t accepted = 0;
  std::uint64_t refused = 0;
  std::uint64_t attempts_after_return = 0;
  std::uint64_t refused_after_return = 0;
  std::uint32_t back = 0;        // clients connected again when the simulation ended
  std::uint32_t stranded = 0;    // clients that gave up for good
  std::uint32_t back_by_1m = 0;  // back (open) at t <= 60 s
  std::uint32_t back_by_2m = 0;  // t <= 120 s
  std::uint32_t back_by_5m = 0;  // t <= 300 s
  double last_back_ms = 0;       // when the last client that came back did
  double last_attempt_ms = 0;    // the last attempt of any client
  double last_event_ms = 0;      // the last event (stale timers included)
  std::uint32_t max_attempts_one_client = 0;

  std::uint64_t peak_per_bin = 0;               // attempts in the fullest 100 ms bin
  double peak_at_ms = 0;                        // that bin's start
  std::uint64_t peak_per_bin_after_return = 0;  // among bins starting at or after the return
  double peak_after_return_at_ms = 0;

  std::vector<std::uint32_t> attempts_per_bin;  // [i]: attempts in [i*100, (i+1)*100) ms
  std::vector<std::uint32_t> back_per_bin;      // [i]: clients that opened in that bin

  // Cost.
  std::uint64_t events = 0;         // events popped from the queue (stale timers included)
  std::uint64_t core_inputs = 0;    // calls into lifeline::Connection (core policies only)
  std::uint64_t core_attempts = 0;  // sum of Connection::stats().attempts (core policies only)
  double setup_wall_ms = 0;         // constructing and connecting the clients before the drop
  double run_wall_ms = 0;           // from the drop to the last event

  bool all_back() const { return stranded == 0 && back == scenario.clients; }
  double share(std::uint32_t n) const { return static_cast<double>(n) / scenario.clients; }
};

Result simulate(Policy policy, const Scenario& scenario);

// Output (report.cpp).
std::string format_table(const std::vector<Result>& comparison);
std::string format_scaling(const std::vector<Result>& scaling);
std::string to_json(const std::vector<Result>& comparison, const std::vector<Result>& scaling,
                    bool scaled_capacity);
std::string to_svg(const std::vector<Result>& comparison);

}  // namespace herd
