// The herd simulation: a simulated server, the event queue, the three reference policies as small
// models of their libraries' code, and ws-lifeline as the real lifeline::Connection.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <vector>

#include "herd.hpp"
#include "lifeline/connection.hpp"

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
    case Policy::kClassicCore:
      return "lifeline::Connection with Config::seed_pattern()";
  }
  return "?";
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
// ws-lifeline: the real core, one lifeline::Connection per client, driven as its shim drives it:
// after every input, carry out its actions, then arm one timer for poll_timeout().

class CoreHerd {
 public:
  CoreHerd(Policy policy, const Scenario& s) : s_(s), herd_(policy, s) {
    lifeline::Config base =
        policy == Policy::kClassicCore ? lifeline::Config::seed_pattern() : lifeline::Config{};
    if (policy == Policy::kLifeline10s) base.max_reconnect_delay = 10000;
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
    for (std::uint32_t i = 0; i < s_.clients; ++i) {
      auto& c = conns_[i];
      c.handle_socket_closed(c.live_socket(), 0, lifeline::kCodeAbnormal, false, true);
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

Result simulate(Policy policy, const Scenario& scenario) {
  Result r;
  if (policy == Policy::kLifeline || policy == Policy::kLifeline10s ||
      policy == Policy::kClassicCore) {
    const auto start = Clock::now();
    CoreHerd core(policy, scenario);
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

}  // namespace herd
