// The herd simulation: a simulated server, the event queue, the three reference policies as small
// models of their libraries' code, and ws-lifeline as the real lifeline::Connection.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "herd.hpp"
#include "lifeline/connection.hpp"
#include "lifeline/hint.hpp"

namespace herd {

const char* policy_name(Policy policy) {
  switch (policy) {
    case Policy::kClassic:
      return "classic";
    case Policy::kReconnectingWebSocket:
      return "reconnecting-websocket";
    case Policy::kSocketIo:
      return "socket.io";
    case Policy::kLifeline:
      return "ws-lifeline";
    case Policy::kLifeline10s:
      return "ws-lifeline 10s cap";
    case Policy::kLifelineProposed:
      return "ws-lifeline before tuning";
    case Policy::kLifelineSweep:
      return "ws-lifeline (sweep)";
    case Policy::kClassicCore:
      return "classic (core)";
  }
  return "?";
}

const char* policy_description(Policy policy) {
  switch (policy) {
    case Policy::kClassic:
      return "fixed 5 s, no jitter, at most 12 reconnects over the client's life";
    case Policy::kReconnectingWebSocket:
      return "min(10 s, minDelay * 1.3^(retries-1)), minDelay = 1 s + U*4 s once per client, "
             "no per-try jitter, infinite retries";
    case Policy::kSocketIo:
      return "min(5 s, 2^n * 1 s +/- 50 % jitter) (jitter before the cap, as backo2), infinite "
             "retries";
    case Policy::kLifeline:
      return "lifeline::Connection defaults: U * min(30 s, 1 s * 2^n) (full jitter after the "
             "cap), infinite retries";
    case Policy::kLifeline10s:
      return "lifeline::Connection, defaults but max_reconnect_delay 10 s: U * min(10 s, 1 s * "
             "2^n)";
    case Policy::kLifelineProposed:
      return "lifeline::Connection, defaults but the backoff before the sweep's tuning (1 s * 2^n, "
             "cap 30 s, full jitter)";
    case Policy::kLifelineSweep:
      return "lifeline::Connection, defaults but the backoff of a --sweep point";
    case Policy::kClassicCore:
      return "lifeline::Connection with Config::seed_pattern()";
  }
  return "?";
}

Backoff default_backoff() {
  const lifeline::Config c;
  return {c.reconnect_delay, c.max_reconnect_delay, c.backoff_factor, c.jitter};
}

// The backoff before the --sweep re-tuned the defaults (1 s * 2^n, capped at 30 s, full jitter):
// kept beside them, so every table shows what the tuning changed. (Named proposed_backoff from
// when the sweep proposed the defaults this one now stands beside.)
Backoff proposed_backoff() {
  return {1000, 30000, 2, 1.0};
}

std::string backoff_label(const Backoff& b) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "%g s * %g^n, cap %g s, jitter %g", b.reconnect_delay / 1000,
                b.backoff_factor, b.max_reconnect_delay / 1000, b.jitter);
  return buf;
}

double vs_ideal(const Result& r) {
  if (!r.all_back()) return std::numeric_limits<double>::infinity();
  return (r.last_back_ms - r.scenario.outage_ms) / r.scenario.ideal_ms();
}

double peak_vs_capacity(const Result& r) {
  return static_cast<double>(r.peak_per_bin_after_return) /
         (r.scenario.capacity_per_s * kBinMs / 1000.0);
}

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::uint64_t splitmix(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A per-client seed: hashed, so that neighbouring clients' streams are unrelated.
std::uint64_t client_seed(std::uint64_t seed, std::uint32_t client) {
  std::uint64_t s = seed * 0x2545f4914f6cdd1dULL + client;
  splitmix(s);
  return splitmix(s);
}

// Math.random(): uniform in [0, 1).
double uniform(std::uint64_t& state) {
  return static_cast<double>(splitmix(state) >> 11) * 0x1.0p-53;
}

// The server: refuses everything before its return, then at most `capacity_per_s` accepts in each
// one-second window counted from its return.
class Server {
 public:
  explicit Server(const Scenario& s) : outage_ms_(s.outage_ms), quota_(s.capacity_per_s) {}

  bool accept(double now) {
    if (now < outage_ms_) return false;
    const auto window = static_cast<std::int64_t>(std::floor((now - outage_ms_) / 1000.0));
    if (window != window_) {
      window_ = window;
      used_ = 0;
    }
    if (static_cast<double>(used_) + 1 > quota_) return false;
    ++used_;
    return true;
  }

 private:
  double outage_ms_;
  double quota_;
  std::int64_t window_ = -1;
  std::uint64_t used_ = 0;
};

enum class EventKind : std::uint32_t { kTimer, kOpened };

struct Event {
  double t;
  std::uint32_t client;
  EventKind kind;
};

// Earliest first; ties by client, then kind: a total order, so the run is deterministic.
bool before(const Event& a, const Event& b) {
  if (a.t != b.t) return a.t < b.t;
  if (a.client != b.client) return a.client < b.client;
  return a.kind < b.kind;
}

// A 4-ary min-heap: a priority queue like std::priority_queue, O(log n) per push and pop, with
// half the depth of a binary heap and the four children of a node side by side in memory. With a
// million pending events the heap no longer fits in the caches, and its depth is what costs.
class EventQueue {
 public:
  void reserve(std::size_t n) { v_.reserve(n); }
  bool empty() const { return v_.empty(); }

  void push(const Event& e) {
    std::size_t i = v_.size();
    v_.push_back(e);
    while (i > 0) {
      const std::size_t parent = (i - 1) / 4;
      if (!before(e, v_[parent])) break;
      v_[i] = v_[parent];
      i = parent;
    }
    v_[i] = e;
  }

  Event pop() {
    const Event top = v_.front();
    const Event last = v_.back();
    v_.pop_back();
    const std::size_t n = v_.size();
    if (n == 0) return top;
    std::size_t i = 0;
    for (;;) {
      const std::size_t first = 4 * i + 1;
      if (first >= n) break;
      std::size_t best = first;
      const std::size_t end = std::min(first + 4, n);
      for (std::size_t k = first + 1; k < end; ++k)
        if (before(v_[k], v_[best])) best = k;
      if (!before(v_[best], last)) break;
      v_[i] = v_[best];
      i = best;
    }
    v_[i] = last;
    return top;
  }

 private:
  std::vector<Event> v_;
};

// What every policy shares: the queue, the server and the books.
class Herd {
 public:
  Herd(Policy policy, const Scenario& s) : server_(s) {
    r_.policy = policy;
    r_.scenario = s;
    queue_.reserve(static_cast<std::size_t>(s.clients) * 2);
  }

  void push(double t, std::uint32_t client, EventKind kind) { queue_.push({t, client, kind}); }

  bool pop(Event& e) {
    if (queue_.empty()) return false;
    e = queue_.pop();
    r_.events++;
    r_.last_event_ms = e.t;
    return true;
  }

  // An attempt at `now`: counted, then accepted (the client opens after the latency) or refused.
  bool attempt(std::uint32_t client, double now) {
    r_.attempts++;
    r_.last_attempt_ms = std::max(r_.last_attempt_ms, now);
    if (now >= r_.scenario.outage_ms) r_.attempts_after_return++;
    bump(r_.attempts_per_bin, now);
    if (server_.accept(now)) {
      r_.accepted++;
      push(now + r_.scenario.open_latency_ms, client, EventKind::kOpened);
      return true;
    }
    r_.refused++;
    if (now >= r_.scenario.outage_ms) r_.refused_after_return++;
    return false;
  }

  void back(double now) {
    r_.back++;
    if (now <= 60000) r_.back_by_1m++;
    if (now <= 120000) r_.back_by_2m++;
    if (now <= 300000) r_.back_by_5m++;
    r_.last_back_ms = std::max(r_.last_back_ms, now);
    bump(r_.back_per_bin, now);
  }

  void stranded() { r_.stranded++; }

  Result finish() {
    const auto& bins = r_.attempts_per_bin;
    const auto return_bin = static_cast<std::size_t>(r_.scenario.outage_ms / kBinMs);
    for (std::size_t i = 0; i < bins.size(); ++i) {
      if (bins[i] > r_.peak_per_bin) {
        r_.peak_per_bin = bins[i];
        r_.peak_at_ms = static_cast<double>(i) * kBinMs;
      }
      if (i >= return_bin && bins[i] > r_.peak_per_bin_after_return) {
        r_.peak_per_bin_after_return = bins[i];
        r_.peak_after_return_at_ms = static_cast<double>(i) * kBinMs;
      }
    }
    return std::move(r_);
  }

  Result& result() { return r_; }

 private:
  static void bump(std::vector<std::uint32_t>& bins, double t) {
    const auto i = static_cast<std::size_t>(std::max(0.0, t) / kBinMs);
    if (i >= bins.size()) bins.resize(i + 1 + 64, 0);
    bins[i]++;
  }

  EventQueue queue_;
  Server server_;
  Result r_;
};

void trim(std::vector<std::uint32_t>& bins) {
  while (!bins.empty() && bins.back() == 0)
    bins.pop_back();
}

// ---------------------------------------------------------------------------------------------
// The reference policies, as their libraries compute their delays. `n` is the number of
// reconnect attempts already made since the drop (0 before the first).

struct ModelClient {
  std::uint64_t rng = 0;
  std::uint32_t reconnects = 0;
  double min_delay = 0;  // reconnecting-websocket: drawn once per client
};

double model_delay(Policy policy, ModelClient& c) {
  const std::uint32_t n = c.reconnects;
  switch (policy) {
    case Policy::kClassic:
      return 5000;
    case Policy::kReconnectingWebSocket: {
      // _connect(): _retryCount++ (0 after a connection that lived minUptime, so 1 here), then
      // _getNextDelay(): min(maxReconnectionDelay, minReconnectionDelay * grow^(_retryCount-1)).
      const double delay = c.min_delay * std::pow(1.3, static_cast<double>(n));
      return std::min(10000.0, delay);
    }
    case Policy::kSocketIo: {
      // backo2's duration() with the Manager's defaults (ms 1000, max 5000, factor 2, jitter
      // 0.5); attempts is reset to 0 on close. The exponent is clamped where 2^n * 1000 is far
      // above the cap anyway (backo2 itself turns into NaN -> 0 past 2^1023).
      double ms = 1000 * std::pow(2.0, static_cast<double>(std::min(n, 60u)));
      const double rand = uniform(c.rng);
      const double deviation = std::floor(rand * 0.5 * ms);
      ms = (static_cast<std::int64_t>(std::floor(rand * 10)) & 1) == 0 ? ms - deviation
                                                                       : ms + deviation;
      return std::trunc(std::min(ms, 5000.0));  // `| 0`
    }
    case Policy::kLifeline:
    case Policy::kLifeline10s:
    case Policy::kLifelineProposed:
    case Policy::kLifelineSweep:
    case Policy::kClassicCore:
      break;
  }
  return 0;
}

Result run_model(Policy policy, const Scenario& s) {
  const auto setup_start = Clock::now();
  Herd herd(policy, s);
  std::vector<ModelClient> clients(s.clients);
  for (std::uint32_t i = 0; i < s.clients; ++i) {
    clients[i].rng = client_seed(s.seed, i);
    clients[i].min_delay = 1000 + uniform(clients[i].rng) * 4000;
  }
  herd.result().setup_wall_ms = ms_since(setup_start);

  const auto run_start = Clock::now();
  // The drop: every client's close handler schedules its first reconnect.
  for (std::uint32_t i = 0; i < s.clients; ++i)
    herd.push(model_delay(policy, clients[i]), i, EventKind::kTimer);
  for (Event e; herd.pop(e);) {
    ModelClient& c = clients[e.client];
    if (e.kind == EventKind::kOpened) {
      herd.back(e.t);
      continue;
    }
    const bool accepted = herd.attempt(e.client, e.t);
    c.reconnects++;
    if (accepted) continue;
    if (policy == Policy::kClassic && c.reconnects >= 12) {
      herd.stranded();
      continue;
    }
    herd.push(e.t + model_delay(policy, c), e.client, EventKind::kTimer);
  }
  herd.result().run_wall_ms = ms_since(run_start);
  for (const ModelClient& c : clients)
    herd.result().max_attempts_one_client =
        std::max(herd.result().max_attempts_one_client, c.reconnects);
  return herd.finish();
}

// ---------------------------------------------------------------------------------------------
// The close reason the server sends client `i` at the drop (1012 scenarios).

lifeline::RetryHint drop_hint(const Scenario& s, std::uint32_t i) {
  switch (s.drop) {
    case Drop::kRestartHint:
      if (s.hint_headroom == 0)
        return lifeline::restart_hint(s.clients, s.capacity_per_s, s.outage_ms);
      return {s.outage_ms, s.ideal_ms() * s.hint_headroom};
    case Drop::kRestartSlots: {
      if (s.hint_headroom == 0)
        return lifeline::restart_slot_hint(i, s.capacity_per_s, s.outage_ms);
      const double slot = s.hint_headroom * 1000 / s.capacity_per_s;
      return {s.outage_ms + i * slot, slot};
    }
    case Drop::kAbnormal:
    case Drop::kRestartNoHint:
      break;
  }
  return {};
}

std::string drop_reason(const Scenario& s, std::uint32_t i) {
  if (s.drop != Drop::kRestartHint && s.drop != Drop::kRestartSlots) return "";
  return lifeline::format_retry_hint(drop_hint(s, i));
}

// ---------------------------------------------------------------------------------------------
// ws-lifeline: the real core, one lifeline::Connection per client, driven as its shim drives it:
// after every input, carry out its actions, then arm one timer for poll_timeout().

class CoreHerd {
 public:
  CoreHerd(Policy policy, const Scenario& s, const Backoff& sweep) : s_(s), herd_(policy, s) {
    lifeline::Config base =
        policy == Policy::kClassicCore ? lifeline::Config::seed_pattern() : lifeline::Config{};
    if (policy == Policy::kLifeline10s) base.max_reconnect_delay = 10000;
    if (policy == Policy::kLifelineProposed || policy == Policy::kLifelineSweep) {
      const Backoff b = policy == Policy::kLifelineProposed ? proposed_backoff() : sweep;
      base.reconnect_delay = b.reconnect_delay;
      base.max_reconnect_delay = b.max_reconnect_delay;
      base.backoff_factor = b.backoff_factor;
      base.jitter = b.jitter;
    }
    herd_.result().backoff = {base.reconnect_delay, base.max_reconnect_delay, base.backoff_factor,
                              base.jitter};
    conns_.reserve(s.clients);
    for (std::uint32_t i = 0; i < s.clients; ++i) {
      lifeline::Config c = base;
      c.seed = client_seed(s.seed, i);
      conns_.emplace_back(c);
    }
    drivers_.assign(s.clients, Driver{});
  }

  Result run() {
    const auto setup_start = Clock::now();
    // Before the drop every client is connected, for longer than min_uptime (so that the drop
    // starts the backoff from zero) and for less than ping_interval (no ping is due at t = 0).
    const double opened_at = -6000;
    for (std::uint32_t i = 0; i < s_.clients; ++i) {
      auto& c = conns_[i];
      c.open(opened_at - s_.open_latency_ms);
      input();
      c.handle_socket_opened(c.live_socket(), opened_at);
      input();
      for (lifeline::Output o; c.poll(o);) {
      }
    }
    herd_.result().setup_wall_ms = ms_since(setup_start);

    const auto run_start = Clock::now();
    const std::string shared = drop_reason(s_, 0);
    for (std::uint32_t i = 0; i < s_.clients; ++i) {
      auto& c = conns_[i];
      if (s_.drop == Drop::kAbnormal) {
        c.handle_socket_closed(c.live_socket(), 0, lifeline::kCodeAbnormal, false, true);
      } else {
        const std::string own = s_.drop == Drop::kRestartSlots ? drop_reason(s_, i) : shared;
        c.handle_socket_closed(c.live_socket(), 0, lifeline::kCodeServiceRestart, true, true, own);
      }
      input();
      after_input(i, 0);
    }
    for (Event e; herd_.pop(e);) {
      auto& c = conns_[e.client];
      Driver& d = drivers_[e.client];
      if (d.done) continue;  // a stale timer of a client that is back or gave up
      if (e.kind == EventKind::kOpened) {
        c.handle_socket_opened(d.connecting, e.t);
        input();
        for (lifeline::Output o; c.poll(o);) {
        }
        // From here on the client stays connected: its heartbeat is not simulated.
        d.done = true;
        herd_.back(e.t);
        continue;
      }
      if (e.t != d.armed) continue;  // superseded by a later poll_timeout()
      d.armed = lifeline::kNever;
      c.handle_timeout(e.t);
      input();
      after_input(e.client, e.t);
    }
    herd_.result().run_wall_ms = ms_since(run_start);
    Result& r = herd_.result();
    for (const auto& c : conns_) {
      // The attempt made during the setup is not part of the herd.
      const auto attempts = static_cast<std::uint32_t>(c.stats().attempts - 1);
      r.core_attempts += attempts;
      r.max_attempts_one_client = std::max(r.max_attempts_one_client, attempts);
    }
    return herd_.finish();
  }

 private:
  void input() { herd_.result().core_inputs++; }

  void after_input(std::uint32_t i, double now) {
    auto& c = conns_[i];
    Driver& d = drivers_[i];
    bool gave_up = false;
    for (;;) {
      lifeline::SocketId open = 0;
      for (lifeline::Output o; c.poll(o);) {
        if (o.kind == lifeline::OutputKind::kOpenSocket) open = o.socket;
        if (o.kind == lifeline::OutputKind::kGaveUp) gave_up = true;
      }
      if (open == 0) break;
      if (herd_.attempt(i, now)) {
        d.connecting = open;  // handle_socket_opened comes with its event
        break;
      }
      c.handle_socket_error(open, now);  // refused at once
      input();
    }
    if (gave_up) {
      d.done = true;
      herd_.stranded();
      return;
    }
    const double due = c.poll_timeout();
    if (std::isfinite(due) && due != d.armed) {
      d.armed = due;
      herd_.push(due, i, EventKind::kTimer);
    }
  }

  Scenario s_;
  Herd herd_;
  std::vector<lifeline::Connection> conns_;
  // What a shim keeps beside its Connection: 16 bytes, so one cache line serves an event.
  struct Driver {
    double armed = lifeline::kNever;    // the one timer the shim has armed
    lifeline::SocketId connecting = 0;  // the socket the server accepted
    bool done = false;                  // back (and no longer simulated) or gave up
  };
  std::vector<Driver> drivers_;
};

}  // namespace

Result simulate(Policy policy, const Scenario& scenario, const Backoff& backoff) {
  Result r;
  if (policy == Policy::kLifeline || policy == Policy::kLifeline10s ||
      policy == Policy::kLifelineProposed || policy == Policy::kLifelineSweep ||
      policy == Policy::kClassicCore) {
    const auto start = Clock::now();
    CoreHerd core(policy, scenario, backoff);
    const double construct_ms = ms_since(start);
    r = core.run();
    r.setup_wall_ms += construct_ms;
  } else {
    r = run_model(policy, scenario);
  }
  trim(r.attempts_per_bin);
  trim(r.back_per_bin);
  return r;
}

// ---------------------------------------------------------------------------------------------
// --sweep

SweepPoint sweep_point(Policy policy, const Backoff& backoff, const Scenario& base, int seeds) {
  SweepPoint p;
  p.policy = policy;
  p.seeds = seeds;
  double sum_vs = 0, sum_peak = 0, sum_attempts = 0;
  for (int k = 0; k < seeds; ++k) {
    Scenario s = base;
    s.seed = base.seed + static_cast<std::uint64_t>(k);
    const Result r = simulate(policy, s, backoff);
    p.backoff = r.backoff;
    const double v = vs_ideal(r), peak = peak_vs_capacity(r);
    p.worst_vs_ideal = k == 0 ? v : std::max(p.worst_vs_ideal, v);
    p.worst_peak = k == 0 ? peak : std::max(p.worst_peak, peak);
    p.worst_stranded = std::max(p.worst_stranded, r.stranded);
    p.max_attempts = std::max(p.max_attempts, r.attempts);
    sum_vs += v;
    sum_peak += peak;
    sum_attempts += static_cast<double>(r.attempts);
  }
  p.mean_vs_ideal = sum_vs / seeds;
  p.mean_peak = sum_peak / seeds;
  p.mean_attempts = sum_attempts / seeds;
  return p;
}

namespace {

// The ranking among points that meet the goal: lower worst peak (at the goal's resolution), then
// fewer attempts.
bool better(const SweepPoint& a, const SweepPoint& b, const SweepGoal& g) {
  const double pa = std::round(a.worst_peak / g.peak_resolution);
  const double pb = std::round(b.worst_peak / g.peak_resolution);
  if (pa != pb) return pa < pb;
  return a.mean_attempts < b.mean_attempts;
}

}  // namespace

Sweep run_sweep(const Scenario& base, const SweepGrid& grid, const SweepGoal& goal) {
  const auto start = Clock::now();
  Sweep sw;
  sw.scenario = base;
  sw.goal = goal;
  sw.grid = grid;
  for (double d : grid.reconnect_delays)
    for (double cap : grid.caps)
      for (double f : grid.factors)
        for (double j : grid.jitters) {
          if (cap < d) continue;
          sw.points.push_back(
              sweep_point(Policy::kLifelineSweep, {d, cap, f, j}, base, grid.seeds));
          sw.runs += static_cast<std::uint64_t>(grid.seeds);
        }

  std::vector<const SweepPoint*> candidates;
  for (const SweepPoint& p : sw.points)
    if (p.meets_with_margin(goal)) candidates.push_back(&p);
  std::sort(candidates.begin(), candidates.end(),
            [&](const SweepPoint* a, const SweepPoint* b) { return better(*a, *b, goal); });
  if (candidates.size() > static_cast<std::size_t>(grid.validate_top))
    candidates.resize(static_cast<std::size_t>(grid.validate_top));
  for (const SweepPoint* c : candidates) {
    sw.validated.push_back(
        sweep_point(Policy::kLifelineSweep, c->backoff, base, grid.validation_seeds));
    sw.runs += static_cast<std::uint64_t>(grid.validation_seeds);
  }
  for (std::size_t i = 0; i < sw.validated.size(); ++i)
    if (sw.validated[i].meets_with_margin(goal) &&
        (sw.pick < 0 ||
         better(sw.validated[i], sw.validated[static_cast<std::size_t>(sw.pick)], goal)))
      sw.pick = static_cast<int>(i);

  for (Policy p : {Policy::kLifeline, Policy::kLifelineProposed, Policy::kReconnectingWebSocket,
                   Policy::kSocketIo, Policy::kClassic}) {
    // A core policy whose backoff was validated already is the same runs: reuse them.
    const Backoff own = p == Policy::kLifeline           ? default_backoff()
                        : p == Policy::kLifelineProposed ? proposed_backoff()
                                                         : Backoff{};
    const bool core = p == Policy::kLifeline || p == Policy::kLifelineProposed;
    auto same = std::find_if(sw.validated.begin(), sw.validated.end(),
                             [&](const SweepPoint& v) { return core && v.backoff == own; });
    if (same != sw.validated.end()) {
      sw.marked.push_back(*same);
      sw.marked.back().policy = p;
      continue;
    }
    sw.marked.push_back(sweep_point(p, {}, base, grid.validation_seeds));
    sw.runs += static_cast<std::uint64_t>(grid.validation_seeds);
  }
  sw.wall_ms = ms_since(start);
  return sw;
}

// ---------------------------------------------------------------------------------------------
// --hint

HintSweep run_hint_sweep(const Scenario& base, int seeds) {
  const auto start = Clock::now();
  HintSweep h;
  h.scenario = base;
  h.seeds = seeds;
  h.core_headroom = lifeline::kHintHeadroom;
  auto row = [&](Drop drop, double headroom, bool core) {
    HintRow r;
    r.drop = drop;
    r.headroom = headroom;
    r.core = core;
    Scenario s = base;
    s.drop = drop;
    s.hint_headroom = headroom;
    r.reason = drop_reason(s, 0);
    const lifeline::RetryHint hint = drop_hint(s, 0);
    r.used_headroom = drop == Drop::kRestartSlots  ? hint.window * s.capacity_per_s / 1000
                      : drop == Drop::kRestartHint ? hint.window / s.ideal_ms()
                                                   : 0;
    r.figures = sweep_point(Policy::kLifeline, {}, s, seeds);
    h.rows.push_back(r);
    h.runs += static_cast<std::uint64_t>(seeds);
  };
  // The core's two (what ws-lifeline/server sends): a slot per client, and one shared hint.
  row(Drop::kRestartSlots, 0, true);
  row(Drop::kRestartHint, 0, true);
  for (double headroom : {1.0, 1.05, 1.1, 1.15, 1.2, 1.3, 1.4, 1.5})
    if (std::fabs(headroom - lifeline::kSharedHintHeadroom) > 1e-9)
      row(Drop::kRestartHint, headroom, false);
  for (double headroom : {1.0, 1.1})
    row(Drop::kRestartSlots, headroom, false);
  row(Drop::kRestartNoHint, 0, false);
  h.wall_ms = ms_since(start);
  return h;
}

}  // namespace herd
