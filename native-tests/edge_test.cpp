// The rules the shims rely on at the edge (issue 8): time discipline, failed attempts, which
// close events the app sees, outputs withdrawn when a later input makes them untrue, and the
// contract exported to JavaScript. Each names its rule; each has explicit expectations.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "lifeline/connection.hpp"
#include "lifeline/contract.hpp"
#include "sim.hpp"

namespace lifeline::test {
namespace {

using K = OutputKind;
const double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<Output> drain(Connection& c) {
  std::vector<Output> out;
  Output o;
  while (c.poll(o))
    out.push_back(o);
  return out;
}

// An open connection on socket 1 at t = 100.
Connection open_conn(const Config& config = fixed_delays()) {
  Connection c(config);
  c.open(0);
  c.handle_socket_opened(1, 100);
  drain(c);
  return c;
}

// --- time ------------------------------------------------------------------------------------

TEST(Time, NonFiniteNowIsRefusedAndChangesNothing) {
  for (double bad : {kNaN, kNever, -kNever}) {
    Connection c = open_conn();
    const Millis deadline = c.poll_timeout();
    const auto stats = c.stats();
    EXPECT_EQ(c.handle_timeout(bad), CommandResult::kInvalidTime);
    EXPECT_EQ(c.handle_pong(1, bad), CommandResult::kInvalidTime);
    EXPECT_EQ(c.handle_activity(1, bad), CommandResult::kInvalidTime);
    EXPECT_EQ(c.handle_server_ping(1, bad), CommandResult::kInvalidTime);
    EXPECT_EQ(c.handle_socket_error(1, bad), CommandResult::kInvalidTime);
    EXPECT_EQ(c.handle_attempt_failed(1, bad), CommandResult::kInvalidTime);
    EXPECT_EQ(c.handle_socket_closed(1, bad, 1006, false, true), CommandResult::kInvalidTime);
    EXPECT_EQ(c.handle_network(false, bad), CommandResult::kInvalidTime);
    EXPECT_EQ(c.handle_foreground(false, bad), CommandResult::kInvalidTime);
    EXPECT_EQ(c.reconnect(bad), CommandResult::kInvalidTime);
    EXPECT_EQ(c.close(bad), CommandResult::kInvalidTime);
    EXPECT_EQ(c.pending_outputs(), 0u);
    EXPECT_EQ(c.state(), State::kOpen);
    EXPECT_EQ(c.poll_timeout(), deadline);
    EXPECT_EQ(c.stats().pings_sent, stats.pings_sent);
    EXPECT_EQ(c.now(), 100);
  }
  Connection idle(fixed_delays());
  EXPECT_EQ(idle.open(kNaN), CommandResult::kInvalidTime);
  EXPECT_EQ(idle.state(), State::kIdle);
  EXPECT_EQ(idle.pending_outputs(), 0u);
}

TEST(Time, GoingBackwardsCountsAsNoTimePassing) {
  Connection c = open_conn();
  c.handle_timeout(10100);  // ping at 10100
  ASSERT_EQ(count(drain(c), K::kSendPing), 1u);
  // A clock stepped back 3 s: the pong is taken at the latest time seen, the rtt is not negative.
  EXPECT_EQ(c.handle_pong(1, 7100), CommandResult::kOk);
  const auto out = drain(c);
  ASSERT_EQ(count(out, K::kHeartbeat), 1u);
  EXPECT_EQ(out[0].value, 0);
  EXPECT_EQ(c.now(), 10100);
  // The next ping is due pingInterval after the (effective) pong, not after the stepped clock.
  EXPECT_EQ(c.poll_timeout(), 20100);
  // And a timeout "in the past" fires nothing.
  EXPECT_EQ(c.handle_timeout(5000), CommandResult::kOk);
  EXPECT_EQ(c.pending_outputs(), 0u);
}

TEST(Time, AVerdictIsNotDelayedByAClockSteppingBack) {
  Connection c = open_conn();
  c.handle_timeout(10100);  // ping; verdict due at 20100
  drain(c);
  c.handle_timeout(9000);  // stepped back: nothing, and the deadline stays
  EXPECT_EQ(c.poll_timeout(), 20100);
  c.handle_timeout(20100);
  EXPECT_EQ(c.stats().dead_links, 1u);
}

TEST(Time, TheDeadlineIsAlwaysLaterThanNowEvenOnAHugeClock) {
  // 1e300 + 10000 == 1e300: a deadline computed by addition would equal now and loop.
  Connection c(Config{});
  ASSERT_EQ(c.open(1e300), CommandResult::kOk);
  EXPECT_GT(c.poll_timeout(), 1e300);
  EXPECT_EQ(count(drain(c), K::kOpenSocket), 1u);
  c.handle_timeout(c.poll_timeout());  // connect timeout: abandoned, a retry scheduled
  const auto out = drain(c);
  EXPECT_EQ(count(out, K::kOpenSocket), 0u) << "never replaced inside the same input";
  EXPECT_LE(out.size(), 8u);
  EXPECT_GT(c.poll_timeout(), c.now());
  c.handle_timeout(c.poll_timeout());
  EXPECT_EQ(count(drain(c), K::kOpenSocket), 1u);
  EXPECT_GT(c.poll_timeout(), c.now());
}

TEST(Time, ActivityReportedLateIsLifeAtItsArrivalAndNeverMovesTimeBack) {
  Connection c = open_conn();
  c.handle_timeout(5000);
  EXPECT_EQ(c.handle_activity(1, 4000), CommandResult::kOk);
  EXPECT_EQ(c.now(), 5000);
  EXPECT_EQ(c.poll_timeout(), 14000);  // the next ping pingInterval after the arrival
}

// --- validate -----------------------------------------------------------------------------------

TEST(Validate, DurationsTooSmallToMoveAClockAreRejectedByName) {
  const double tiny[] = {4.9e-324, 1e-300, 0.5, 0.999};
  for (double v : tiny) {
    for (Field f : {Field::kPingInterval, Field::kPongTimeout, Field::kConnectTimeout,
                    Field::kTimerSlack, Field::kReconnectDelay}) {
      Config c;
      ASSERT_TRUE(field_spec(f).set(c, v));
      if (f == Field::kReconnectDelay) c.max_reconnect_delay = 30000;
      const auto problems = validate(c);
      ASSERT_EQ(problems.size(), 1u) << field_name(f) << "=" << v;
      EXPECT_EQ(problems[0].field, f);
      EXPECT_STREQ(problems[0].name, field_name(f));
    }
  }
  Config ok;
  ok.reconnect_delay = 0;  // zero is a delay: "as soon as possible"
  ok.ping_interval = kMinDuration;
  EXPECT_TRUE(validate(ok).empty());
}

// --- failed attempts ----------------------------------------------------------------------------

TEST(AttemptFailed, TheNextAttemptNeverStartsInsideTheCallThatReportedIt) {
  Config config = fixed_delays();
  config.reconnect_delay = 0;
  config.max_reconnect_delay = 0;
  Connection c(config);
  c.open(0);
  drain(c);
  for (SocketId id = 1; id <= 50; ++id) {
    const Millis t = c.now();
    ASSERT_EQ(c.handle_attempt_failed(id, t), CommandResult::kOk);
    const auto out = drain(c);
    ASSERT_EQ(count(out, K::kOpenSocket), 0u);
    ASSERT_EQ(count(out, K::kClosed), 1u);
    EXPECT_EQ(out.back().kind, K::kReconnecting);
    EXPECT_EQ(out.back().value, kMinDuration);
    ASSERT_EQ(c.poll_timeout(), t + kMinDuration);
    c.handle_timeout(c.poll_timeout());
    ASSERT_EQ(count(drain(c), K::kOpenSocket), 1u);
  }
}

TEST(AttemptFailed, ZeroDelayRetriesOneMillisecondApartAsATrace) {
  Config config = fixed_delays();
  config.reconnect_delay = 0;
  config.max_reconnect_delay = 0;
  config.max_retries = 3;
  Sim s(config);
  s.open();
  for (int i = 0; i < 4; ++i) {
    const SocketId id = s.conn.live_socket();
    ASSERT_NE(id, 0u);
    s.attempt_failed(id);
    EXPECT_EQ(s.conn.live_socket(), 0u) << "not replaced inside the failing call";
    s.advance(kMinDuration);
  }
  EXPECT_EQ(s.conn.state(), State::kGaveUp);
  EXPECT_EQ(s.count(K::kOpenSocket), 4u);
  EXPECT_EQ(s.times_of(K::kOpenSocket), (std::vector<Millis>{0, 1, 2, 3}));
  expect_trace(s, "attempt_failed_zero_delay");
}

TEST(AttemptFailed, OnlyTheLiveConnectingAttemptCanFail) {
  Connection c = open_conn();
  EXPECT_EQ(c.handle_attempt_failed(1, 200), CommandResult::kIgnored) << "open: not an attempt";
  EXPECT_EQ(c.handle_attempt_failed(7, 200), CommandResult::kIgnored) << "stale id";
  EXPECT_EQ(c.state(), State::kOpen);
  EXPECT_EQ(c.pending_outputs(), 0u);
}

TEST(AttemptFailed, IsLostLikeAnErrorWithItsCloseAndAnnouncement) {
  Connection c(fixed_delays());
  c.open(0);
  drain(c);
  c.handle_attempt_failed(1, 10);
  const auto out = drain(c);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].kind, K::kCloseSocket);
  EXPECT_EQ(out[0].cause, CloseCause::kError);
  EXPECT_EQ(out[1].kind, K::kStateChanged);
  EXPECT_EQ(out[1].to, State::kBackoff);
  EXPECT_EQ(out[2].kind, K::kClosed);
  EXPECT_EQ(out[2].code, kCodeAbnormal);
  EXPECT_TRUE(out[2].will_reconnect);
  EXPECT_EQ(out[3].kind, K::kReconnecting);
  EXPECT_EQ(out[3].attempt, 1u);
  EXPECT_EQ(out[3].value, 1000);
}

// --- which close events the app sees ------------------------------------------------------------

TEST(CloseEvents, NoneForACloseBeforeTheFirstAttempt) {
  Connection c(fixed_delays());
  EXPECT_EQ(c.close(0), CommandResult::kOk);
  const auto out = drain(c);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, K::kStateChanged);
  EXPECT_EQ(out[0].to, State::kClosed);
}

TEST(CloseEvents, NoneForACloseAfterGivingUp) {
  Config config = fixed_delays();
  config.max_retries = 0;
  Connection c(config);
  c.open(0);
  drain(c);
  c.handle_socket_error(1, 5);
  ASSERT_EQ(c.state(), State::kGaveUp);
  ASSERT_EQ(count(drain(c), K::kClosed), 1u);
  c.close(10);
  const auto out = drain(c);
  EXPECT_EQ(count(out, K::kClosed), 0u);
  EXPECT_EQ(c.state(), State::kClosed);
}

TEST(CloseEvents, ExactlyOnePerSocketWithTheStateChangeBeforeIt) {
  Connection c = open_conn();
  c.close(200, 4100);
  const auto out = drain(c);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].kind, K::kCloseSocket);
  EXPECT_EQ(out[0].code, 4100);
  EXPECT_EQ(out[1].kind, K::kStateChanged);
  EXPECT_EQ(out[1].to, State::kClosed);
  EXPECT_EQ(out[2].kind, K::kClosed);
  EXPECT_FALSE(out[2].will_reconnect);
}

TEST(CloseEvents, ACodeAClientMayNotSendIsRefused) {
  Connection c = open_conn();
  for (int code : {0, 999, 1001, 1005, 1006, 2999, 5000, -1}) {
    EXPECT_EQ(c.close(200, code), CommandResult::kInvalidArgument) << code;
  }
  EXPECT_EQ(c.state(), State::kOpen);
  EXPECT_EQ(c.pending_outputs(), 0u);
  EXPECT_TRUE(is_app_close_code(1000));
  EXPECT_TRUE(is_app_close_code(3000));
  EXPECT_TRUE(is_app_close_code(4999));
}

// --- withdrawn outputs --------------------------------------------------------------------------

TEST(Withdraw, ACloseWhileAReconnectingIsPendingWithdrawsItAndCorrectsTheClose) {
  Connection c = open_conn();
  c.handle_socket_closed(1, 200, 1006, false, true);
  Output o;
  // The shim delivers the state change; a statechange listener calls close() before the close
  // and reconnecting events were polled.
  ASSERT_TRUE(c.poll(o));
  ASSERT_EQ(o.kind, K::kStateChanged);
  c.close(200);
  const auto out = drain(c);
  EXPECT_EQ(count(out, K::kReconnecting), 0u) << "no attempt will follow";
  ASSERT_EQ(count(out, K::kClosed), 1u);
  for (const auto& e : out) {
    if (e.kind == K::kClosed) {
      EXPECT_FALSE(e.will_reconnect);
    }
  }
  EXPECT_EQ(c.state(), State::kClosed);
}

TEST(Withdraw, ACloseFromAListenerCollapsesPendingStateChangesAndGivingUp) {
  Config config = fixed_delays();
  config.max_retries = 0;
  Connection c = open_conn(config);
  c.handle_socket_closed(1, 200, 1006, false, true);  // state gave-up, closed, gave-up pending
  Output o;
  ASSERT_TRUE(c.poll(o));
  ASSERT_EQ(o.kind, K::kStateChanged);  // open -> gave-up, delivered; its listener calls close()
  ASSERT_EQ(o.to, State::kGaveUp);
  c.close(200);
  const auto out = drain(c);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].kind, K::kClosed);  // the socket's own close, corrected
  EXPECT_FALSE(out[0].will_reconnect);
  EXPECT_EQ(out[1].kind, K::kStateChanged);
  EXPECT_EQ(out[1].from, State::kGaveUp);
  EXPECT_EQ(out[1].to, State::kClosed);
}

TEST(Withdraw, ACloseBeforeAnyChangeWasSeenGoesFromTheLastSeenState) {
  Connection c = open_conn();
  c.handle_socket_closed(1, 200, 1006, false, true);  // open -> backoff pending, not polled
  c.close(200);
  const auto out = drain(c);
  std::vector<Output> changes;
  for (const auto& e : out) {
    if (e.kind == K::kStateChanged) changes.push_back(e);
  }
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].from, State::kOpen);
  EXPECT_EQ(changes[0].to, State::kClosed);
  EXPECT_EQ(count(out, K::kReconnecting), 0u);
}

TEST(Withdraw, ACloseBeforeTheShimCreatedTheSocketLeavesNoTraceOfIt) {
  Connection c = open_conn();
  c.handle_network(false, 200);
  c.handle_socket_closed(1, 300, 1006, false, true);  // lost while offline: paused
  ASSERT_EQ(c.state(), State::kPaused);
  drain(c);
  c.handle_network(true, 400);  // reconnecting, then open-socket 2
  Output o;
  ASSERT_TRUE(c.poll(o));
  ASSERT_EQ(o.kind, K::kReconnecting);  // its listener calls close()
  c.close(400);
  const auto out = drain(c);
  EXPECT_EQ(count(out, K::kOpenSocket), 0u) << "withdrawn";
  EXPECT_EQ(count(out, K::kCloseSocket), 0u) << "nothing to close";
  EXPECT_EQ(count(out, K::kClosed), 0u) << "the app never had this socket";
  EXPECT_EQ(c.state(), State::kClosed);
}

TEST(Withdraw, AReconnectFromAReconnectingListenerCannotLoop) {
  Connection c = open_conn();
  int reconnects_accepted = 0;
  c.reconnect(200);
  Output o;
  for (int i = 0; i < 100 && c.poll(o);) {
    if (o.kind == K::kReconnecting) {
      reconnects_accepted += c.reconnect(200) == CommandResult::kOk;
      ++i;
    }
  }
  EXPECT_EQ(reconnects_accepted, 0);
  EXPECT_EQ(c.state(), State::kBackoff);
}

TEST(Withdraw, AReconnectAnnouncedByABackoffIsReplacedByTheFreshOne) {
  Connection c = open_conn();
  c.handle_socket_closed(1, 200, 1006, false, true);
  Output o;
  ASSERT_TRUE(c.poll(o));  // state change; the listener calls reconnect()
  EXPECT_EQ(c.reconnect(200), CommandResult::kOk);
  std::vector<Output> reconnecting;
  for (const auto& e : drain(c)) {
    if (e.kind == K::kReconnecting) reconnecting.push_back(e);
  }
  ASSERT_EQ(reconnecting.size(), 1u);
  EXPECT_EQ(reconnecting[0].attempt, 0u);
}

// --- the contract ------------------------------------------------------------------------------

TEST(Contract, EveryFieldHasBothNamesAKindAndWordsAndRoundTrips) {
  const Config defaults;
  for (int i = 0; i < kFieldCount; ++i) {
    const FieldSpec& f = field_spec(static_cast<Field>(i));
    EXPECT_EQ(static_cast<int>(f.field), i);
    EXPECT_NE(std::string(f.cpp_name), "");
    EXPECT_NE(std::string(f.js_name), "");
    EXPECT_NE(std::string(f.expected), "");
    EXPECT_EQ(find_field(f.js_name), &f);
    Config c;
    EXPECT_TRUE(f.set(c, f.get(defaults))) << f.cpp_name;
    EXPECT_EQ(f.get(c), f.get(defaults));
  }
  EXPECT_EQ(find_field("nope"), nullptr);
  Config c;
  const FieldSpec& seed = field_spec(Field::kSeed);
  EXPECT_FALSE(seed.set(c, 4294967296.0));
  EXPECT_FALSE(seed.set(c, 1.5));
  EXPECT_FALSE(seed.set(c, -1));
  EXPECT_FALSE(seed.set(c, kNaN));
  EXPECT_TRUE(seed.set(c, 4294967295.0));
  EXPECT_EQ(c.seed, 4294967295u);
  EXPECT_FALSE(field_spec(Field::kPauseInBackground).set(c, 2));
}

TEST(Contract, TheJsonCarriesEveryNameAndDefault) {
  const std::string json = contract_json();
  EXPECT_EQ(json.front(), '{');
  EXPECT_EQ(json.back(), '}');
  EXPECT_NE(json.find(R"({"cpp":"ping_interval","js":"pingInterval","kind":"duration",)"
                      R"("default":10000,"seedPattern":10000,)"),
            std::string::npos);
  EXPECT_NE(json.find(R"("js":"maxRetries","kind":"count","default":1e999,"seedPattern":12,)"),
            std::string::npos);
  EXPECT_NE(
      json.find(R"("states":["idle","connecting","open","backoff","paused","gave-up","closed"])"),
      std::string::npos);
  EXPECT_NE(json.find(R"("appCloseCodes":[1000,3000,4999])"), std::string::npos);
  for (int i = 0; i < kCauseCount; ++i) {
    EXPECT_NE(json.find(std::string("\"") + to_string(static_cast<CloseCause>(i)) + "\""),
              std::string::npos);
  }
}

}  // namespace
}  // namespace lifeline::test
