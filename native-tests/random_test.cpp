// Random input sequences, seeded and reproducible, with the invariants checked after every step.
//   LIFELINE_RANDOM_SEQUENCES=N  how many sequences (default 100000)
//   LIFELINE_RANDOM_SEED=S       run only sequence S and print its trace
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <random>
#include <set>
#include <sstream>

#include "sim.hpp"

namespace lifeline::test {
namespace {

using K = OutputKind;

Config random_config(std::mt19937_64& rng) {
  auto pick = [&](std::initializer_list<double> values) {
    return *(values.begin() +
             std::uniform_int_distribution<std::size_t>(0, values.size() - 1)(rng));
  };
  Config c;
  c.ping_interval = pick({1000, 5000, 10000, kNever});
  c.pong_timeout = pick({500, 2000, 10000, kNever});
  c.connect_timeout = pick({1000, 10000, kNever});
  c.reconnect_delay = pick({10, 100, 1000, 5000});  // 0 is covered by Backoff tests
  c.max_reconnect_delay = c.reconnect_delay * pick({1, 4, 30});
  c.backoff_factor = pick({1, 1.5, 2});
  c.jitter = pick({0, 0.5, 1});
  c.max_retries = pick({0, 1, 3, 12, kNever});
  c.min_uptime = pick({0, 5000, kNever});
  c.timer_slack = pick({100, 2000, kNever});
  c.answer_server_pings = rng() % 2;
  c.pause_in_background = rng() % 2;
  c.adaptive_pong_timeout = rng() % 2;
  c.min_pong_timeout = pick({0, 1, 400, 2000});
  c.server_hints = rng() % 4 != 0;
  c.restart_window = pick({0, 1000, 10000});
  c.max_hint_delay = pick({0, 5000, 300000});
  c.seed = rng() & 0xffffffffu;  // JavaScript passes 32-bit seeds
  return c;
}

// Runs one sequence; returns an empty string, or what went wrong.
std::string run_sequence(std::uint64_t seed, bool record, std::string* trace = nullptr) {
  std::mt19937_64 rng(seed);
  const Config config = random_config(rng);
  Sim s(config);
  s.record_trace = record;
  s.peer.auto_respond = rng() % 2;
  s.peer.connect_latency = static_cast<double>(1 + rng() % 200);
  s.peer.rtt = static_cast<double>(rng() % 100);
  if (rng() % 4 == 0) {
    // A jittered link: each pong 0 to 3 s.
    s.peer.rtt_draw = [&rng] { return static_cast<double>(rng() % 3000); };
  }

  bool closed_by_app = false;
  std::uint32_t highest_id = 0;
  const int steps = 20 + static_cast<int>(rng() % 60);
  std::ostringstream why;

  auto pick_id = [&]() -> SocketId {
    switch (rng() % 10) {
      case 0:
        return 0;
      case 1:
        return static_cast<SocketId>(rng() % (highest_id + 3));
      case 2:
      case 3:
        return s.conn.live_socket() > 1 ? s.conn.live_socket() - 1 : highest_id + 1;
      default:
        return s.conn.live_socket();
    }
  };

  for (int step = 0; step < steps; ++step) {
    const State before = s.conn.state();
    const SocketId live_before = s.conn.live_socket();
    const Millis deadline_before = s.conn.poll_timeout();
    SocketId target = 0;  // the id an input carried, if any
    bool id_input = false, closing = false;
    bool opening = false;
    CommandResult result = CommandResult::kOk;
    switch (rng() % 16) {
      case 0:
        opening = true;
        result = s.open();
        break;
      case 1:
        closing = true;
        result = s.close(rng() % 2 ? 1000 : 4000 + static_cast<int>(rng() % 999));
        break;
      case 2:
        result = s.reconnect();
        break;
      case 3:
        target = pick_id();
        id_input = true;
        s.opened(target);
        break;
      case 4:
        target = pick_id();
        id_input = true;
        s.activity(target);
        break;
      case 5:
        target = pick_id();
        id_input = true;
        s.pong(target);
        break;
      case 6:
        target = pick_id();
        id_input = true;
        s.server_ping(target);
        break;
      case 7:
        target = pick_id();
        id_input = true;
        switch (rng() % 4) {  // a 503's Retry-After, sometimes
          case 0:
            s.error(target, static_cast<double>(rng() % 100000));
            break;
          case 1:  // (a shim reports a failed attempt only while creating the socket)
            if (s.conn.state() == State::kConnecting) {
              s.attempt_failed(target, rng() % 2 ? static_cast<double>(rng() % 100000) : -1.0);
            }
            break;
          default:
            s.error(target);
        }
        break;
      case 8: {
        target = pick_id();
        id_input = true;
        static const int kCodes[] = {1000, 1006, 1012, 1013};
        static const char* const kReasons[] = {
            "",          "retry-after=0 window=0", "retry-after=30000 window=12500",
            "window=99", "retry-after=9999999999", "retry-after=x"};
        s.closed(target, kCodes[rng() % 4], rng() % 2, rng() % 10 != 0, kReasons[rng() % 6]);
        break;
      }
      case 9:
        s.network(rng() % 3 != 0);
        break;
      case 10:
        s.foreground(rng() % 3 != 0);
        break;
      case 11:
        s.peer.server = static_cast<Peer::Server>(rng() % 3);
        s.peer.link_healthy = rng() % 4 != 0;
        break;
      case 12:
        s.sleep_until(s.now + static_cast<double>(rng() % 120000));
        break;
      case 13: {
        const Millis d = s.conn.poll_timeout();
        if (d < kNever) s.run_until(d);
        break;
      }
      default:
        s.advance(static_cast<double>(rng() % 30000));
        break;
    }
    const auto outs = s.take();

    for (const auto& o : outs)
      if (o.kind == K::kOpenSocket) highest_id = std::max(highest_id, o.socket);
    const std::set<SocketId>& live = s.held();

    auto fail = [&](const std::string& what) {
      why << "seed " << seed << " step " << step << ": " << what << " (state "
          << to_string(s.conn.state()) << ", now " << s.now << ")";
    };
    const State st = s.conn.state();
    const SocketId sock = s.conn.live_socket();
    if (live.size() > 1)
      fail("more than one live socket");
    else if (live.size() == 1 && *live.begin() != sock)
      fail("a socket the core forgot is still open");
    else if (sock != 0 && live.count(sock) == 0)
      fail("the core's live socket is not one the shim holds");
    else if ((st == State::kConnecting || st == State::kOpen) != (sock != 0))
      fail("live socket does not match the state");
    else if (st == State::kBackoff && !(s.conn.poll_timeout() < kNever))
      fail("backoff with no pending attempt");
    else if (!s.past_deadline.empty())
      fail("deadline not later than now after " + s.past_deadline);
    else if (!(s.conn.poll_timeout() > s.now))
      fail("deadline in the past after handling");
    else if (static_cast<double>(s.conn.stats().retries) > config.max_retries)
      fail("more retries than max_retries");
    else if (id_input && !s.peer.auto_respond && target != live_before &&
             (st != before || !outs.empty() || s.conn.poll_timeout() != deadline_before))
      fail("a stale socket id changed something");
    if (!why.str().empty()) break;
    // State outputs form a chain from the state before the step to the state after it, and each
    // reports a change.
    State chain = before;
    for (const auto& o : outs) {
      if (o.kind != K::kStateChanged) continue;
      if (o.from != chain || o.to == o.from) {
        fail(std::string("state output ") + to_string(o.from) + " -> " + to_string(o.to) +
             " after " + to_string(chain));
        break;
      }
      chain = o.to;
    }
    if (why.str().empty() && chain != st)
      fail(std::string("the state outputs end at ") + to_string(chain));
    if (!why.str().empty()) break;
    if (opening && result == CommandResult::kOk) closed_by_app = false;  // a fresh run may act
    for (const auto& o : outs) {
      if (o.kind == K::kOpenSocket && o.attempt > config.max_retries)
        fail("attempt above max_retries");
      if (closed_by_app && is_action(o.kind) && !(closing && o.kind == K::kCloseSocket))
        fail(std::string("action after an explicit close: ") + to_string(o.kind));
    }
    if (!why.str().empty()) break;
    if (closing && result == CommandResult::kOk) closed_by_app = true;
  }
  if (trace) *trace = s.trace();
  return why.str();
}

TEST(Random, InvariantsHoldOverManySequences) {
  std::uint64_t count = 100000;
  if (const char* n = std::getenv("LIFELINE_RANDOM_SEQUENCES")) count = std::stoull(n);
  if (const char* one = std::getenv("LIFELINE_RANDOM_SEED")) {
    std::string trace;
    const std::string why = run_sequence(std::stoull(one), true, &trace);
    std::cout << trace;
    EXPECT_EQ(why, "");
    return;
  }
  int failures = 0;
  for (std::uint64_t seed = 0; seed < count && failures < 5; ++seed) {
    const std::string why = run_sequence(seed, false);
    if (!why.empty()) {
      ++failures;
      ADD_FAILURE() << why << "\n  reproduce: LIFELINE_RANDOM_SEED=" << seed
                    << " ./lifeline_native_tests --gtest_filter=Random.*";
    }
  }
  std::cout << "[ random   ] " << count << " sequences checked\n";
}

// A few random sequences are kept as traces, for the WebAssembly build to replay.
TEST(Random, SomeSequencesAreKeptAsTraces) {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    std::string trace;
    ASSERT_EQ(run_sequence(seed, true, &trace), "");
    expect_trace(trace, "random_" + std::to_string(seed));
  }
}

}  // namespace
}  // namespace lifeline::test
