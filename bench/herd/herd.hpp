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
  kLifelineProposed,       // lifeline::Connection with the proposed backoff (proposed_backoff())
  kLifelineSweep,          // lifeline::Connection with a backoff given to simulate() (--sweep)
  kClassicCore,            // the seed pattern as lifeline::Config::seed_pattern() (--check only)
};

const char* policy_name(Policy policy);
const char* policy_description(Policy policy);

// The four backoff fields of lifeline::Config: the n-th reconnect waits
// min(max_reconnect_delay, reconnect_delay * backoff_factor^n) * (1 - jitter * U).
struct Backoff {
  double reconnect_delay = 1000;
  double max_reconnect_delay = 30000;
  double backoff_factor = 2;
  double jitter = 1;

  bool operator==(const Backoff& o) const {
    return reconnect_delay == o.reconnect_delay && max_reconnect_delay == o.max_reconnect_delay &&
           backoff_factor == o.backoff_factor && jitter == o.jitter;
  }
};

Backoff default_backoff();   // what lifeline::Config{} has today (follows config.hpp)
Backoff proposed_backoff();  // the defaults this benchmark proposes (see --sweep)
std::string backoff_label(const Backoff& b);  // e.g. "1 s * 2^n, cap 15 s, jitter 0.5"

// How the clients lose their connection at t = 0.
enum class Drop : std::uint8_t {
  kAbnormal,       // 1006: the link is gone, no word from the server (the herd scenario)
  kRestartHint,    // 1012 with one reason for all: format_retry_hint() of the restart's hint
  kRestartSlots,   // 1012 with a reason per client: a slot of its own (retry-after + i * slot)
  kRestartNoHint,  // 1012 with an empty reason: the core's default spread (restart_window)
};

struct Scenario {
  Drop drop = Drop::kAbnormal;
  // kRestartHint: window = clients / capacity * headroom; 0: lifeline::restart_hint()'s own.
  // kRestartSlots: slot = headroom / capacity per client (0: 1).
  double hint_headroom = 0;
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
  Backoff backoff;  // the core's backoff (core policies only)

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

// `backoff` is used by kLifelineSweep only (the other policies have their own).
Result simulate(Policy policy, const Scenario& scenario, const Backoff& backoff = {});

// Result's headline figures, as report.cpp defines them.
double vs_ideal(const Result& r);          // (last back - return) / ideal; infinity if not all back
double peak_vs_capacity(const Result& r);  // fullest 100 ms bin from the return on / capacity

// ---------------------------------------------------------------------------------------------
// --sweep: the trade-off curve of the core's backoff on the scenario above. Every grid point is
// run with `seeds` seeds (scenario.seed, +1, ...) and judged by its worst seed; the best points
// that meet the goal are run again with `validation_seeds` seeds, and the pick is the best of
// those that still meet it. Today's default, the proposal and the peers are run with the
// validation seeds too.

struct SweepGoal {
  double vs_ideal = 2.0;  // all back within this many times the ideal time
  double peak = 1.5;      // and never more than this many times capacity in a 100 ms bin
  // A pick must meet both bounds times (1 - margin), worst over its seeds.
  double margin = 0.1;
  // Peaks closer than this (x capacity) count as equal when ranking: a few attempts in one bin
  // of one seed do not decide.
  double peak_resolution = 0.05;
};

struct SweepGrid {
  std::vector<double> reconnect_delays = {1000};
  std::vector<double> caps = {10000, 12000, 14000, 16000, 18000, 20000, 25000, 30000};
  std::vector<double> factors = {1.5, 2, 3};
  std::vector<double> jitters = {0.25, 0.5, 0.75, 1};
  int seeds = 3;
  int validate_top = 8;
  int validation_seeds = 20;
};

struct SweepPoint {
  Policy policy = Policy::kLifelineSweep;
  Backoff backoff;  // core policies
  int seeds = 0;
  double worst_vs_ideal = 0;  // infinity if some seed left a client out
  double mean_vs_ideal = 0;
  double worst_peak = 0;  // x capacity
  double mean_peak = 0;
  double mean_attempts = 0;
  std::uint64_t max_attempts = 0;
  std::uint32_t worst_stranded = 0;

  bool meets(const SweepGoal& g) const {
    return worst_vs_ideal <= g.vs_ideal && worst_peak <= g.peak;
  }
  bool meets_with_margin(const SweepGoal& g) const {
    return worst_vs_ideal <= g.vs_ideal * (1 - g.margin) && worst_peak <= g.peak * (1 - g.margin);
  }
};

struct Sweep {
  Scenario scenario;
  SweepGoal goal;
  SweepGrid grid;
  std::vector<SweepPoint> points;     // the grid, `grid.seeds` seeds each
  std::vector<SweepPoint> validated;  // the best grid points (meeting the goal with margin),
                                      // `grid.validation_seeds` each
  std::vector<SweepPoint> marked;     // today's default, the proposal, the peers (validation seeds)
  int pick = -1;                      // index into validated; -1 if none meets the goal with margin
  std::uint64_t runs = 0;
  double wall_ms = 0;
};

SweepPoint sweep_point(Policy policy, const Backoff& backoff, const Scenario& base, int seeds);
Sweep run_sweep(const Scenario& base, const SweepGrid& grid, const SweepGoal& goal);

// Output (report.cpp).
std::string format_table(const std::vector<Result>& comparison);
std::string format_scaling(const std::vector<Result>& scaling);
std::string to_json(const std::vector<Result>& comparison, const std::vector<Result>& scaling,
                    const std::vector<Result>& proposed_scaling, bool scaled_capacity);
std::string to_svg(const std::vector<Result>& comparison);
// ---------------------------------------------------------------------------------------------
// --hint: the announced restart. The server closes every client at t = 0 with 1012 and a retry
// hint for (clients, capacity, downtime = outage); the clients are lifeline::Connection with the
// default config. Rows: the core's restart_hint(), the same hint with other headrooms (the
// trade-off), a slot per client, and 1012 without a hint.

struct HintGoal {
  double vs_ideal = 1.2;
  double peak = 1.1;
};

struct HintRow {
  Drop drop = Drop::kRestartHint;
  double headroom = 0;       // as Scenario::hint_headroom (0: the core's)
  double used_headroom = 0;  // the headroom the hint ended up with
  std::string reason;        // the close reason of client 0
  SweepPoint figures;
  bool core = false;  // the core's own restart_hint()
};

struct HintSweep {
  Scenario scenario;
  HintGoal goal;
  int seeds = 20;
  double core_headroom = 0;  // lifeline::kHintHeadroom
  std::vector<HintRow> rows;
  std::uint64_t runs = 0;
  double wall_ms = 0;
};

HintSweep run_hint_sweep(const Scenario& base, int seeds);
std::string format_hint(const HintSweep& hint);
std::string hint_json(const HintSweep& hint);
std::string hint_label(Drop drop, double headroom);  // e.g. "hint, headroom 1.25"
std::string hint_svg(const HintSweep& hint, const std::vector<Result>& examples);

std::string format_sweep(const Sweep& sweep);
std::string sweep_json(const Sweep& sweep);
std::string sweep_svg(const Sweep& sweep);

}  // namespace herd
