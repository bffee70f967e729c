// Scenarios for every core behaviour, each complaint of ../shared/PEERS.md that concerns the core
// among them. Time is simulated: Sim jumps from deadline to deadline.
#include <gtest/gtest.h>

#include <algorithm>

#include "sim.hpp"

namespace lifeline::test {
namespace {

using K = OutputKind;

// --- The seed pattern, reproduced as a configuration -------------------------------------------

TEST(SeedPattern, ScheduleMatchesTheClassicHeartCheck) {
  Sim s(Config::seed_pattern());
  s.peer.connect_latency = 0;
  s.peer.rtt = 0;
  open_auto(s);
  // "ping" 10 s after open, and 10 s after each pong.
  s.run_until(30000);
  EXPECT_EQ(s.times_of(K::kSendPing), (std::vector<Millis>{10000, 20000, 30000}));
  // The link goes half-open: no pong within 10 s of the next ping closes the socket; the
  // reconnect comes 5 s later.
  s.peer.link_healthy = false;
  s.run_until(50000);
  EXPECT_EQ(s.times_of(K::kSendPing), (std::vector<Millis>{10000, 20000, 30000, 40000}));
  EXPECT_EQ(s.times_of(K::kCloseSocket), (std::vector<Millis>{50000}));
  EXPECT_EQ(s.last(K::kCloseSocket)->cause, CloseCause::kPongTimeout);
  EXPECT_EQ(s.last(K::kReconnecting)->value, 5000);
  s.peer.link_healthy = true;
  s.run_until(55000);
  EXPECT_EQ(s.times_of(K::kOpenSocket), (std::vector<Millis>{0, 55000}));
  EXPECT_EQ(s.conn.state(), State::kOpen);
  // A long healthy stretch does not reset its counter: 12 reconnects over the client's life, of
  // which one is spent; the server then refuses, and 11 more follow, 5 s apart.
  s.run_until(500000);
  s.peer.server = Peer::Server::kRefusing;
  s.closed(s.conn.live_socket(), 1006);
  s.run_until(1000000);
  EXPECT_EQ(s.conn.state(), State::kGaveUp);
  auto opens = s.times_of(K::kOpenSocket);
  ASSERT_EQ(opens.size(), 13u);
  EXPECT_EQ(opens[2], 505000);
  for (std::size_t i = 3; i < opens.size(); ++i)
    EXPECT_EQ(opens[i] - opens[i - 1], 5000);
  expect_trace(s, "seed_pattern");
}

TEST(SeedPattern, CounterSpansTheClientsLife) {
  Sim s(Config::seed_pattern());
  s.peer.connect_latency = 0;
  open_auto(s);
  // Twelve drops spread over hours, each after a long healthy connection: the seed counts them
  // all, and so does its configuration here (min_uptime = never).
  for (int i = 0; i < 12; ++i) {
    s.advance(3600000);
    s.closed(s.conn.live_socket(), 1006);
    s.advance(5000);
    ASSERT_EQ(s.conn.state(), State::kOpen) << i;
  }
  s.closed(s.conn.live_socket(), 1006);
  EXPECT_EQ(s.conn.state(), State::kGaveUp);
}

// --- Heartbeat ---------------------------------------------------------------------------------

TEST(Heartbeat, PingsOnlyAfterInboundSilence) {
  Sim s(fixed_delays());
  SocketId id = open_auto(s);
  // Busy: data every 3 s for a minute; no ping is ever sent.
  for (int i = 0; i < 20; ++i) {
    s.advance(3000);
    s.activity(id);
  }
  EXPECT_EQ(s.count(K::kSendPing), 0u);
  s.advance(9999);
  EXPECT_EQ(s.count(K::kSendPing), 0u);
  s.advance(1);
  EXPECT_EQ(s.count(K::kSendPing), 1u);
  // The pong comes back after rtt: an rtt event, and the next ping 10 s after the pong.
  s.advance(40);
  ASSERT_NE(s.last(K::kHeartbeat), nullptr);
  EXPECT_EQ(s.last(K::kHeartbeat)->value, 40);
  EXPECT_EQ(s.conn.stats().last_rtt, 40);
  EXPECT_EQ(s.conn.poll_timeout(), s.now + 10000);
  expect_trace(s, "heartbeat_busy_then_idle");
}

TEST(Heartbeat, AnyInboundDataAfterAPingProvesLife) {
  Sim s(fixed_delays());
  SocketId id = open_auto(s);
  s.peer.auto_respond = false;  // no pong will come
  s.advance(10000);
  ASSERT_EQ(s.count(K::kSendPing), 1u);
  s.advance(5000);
  s.activity(id);  // data, not a pong
  s.advance(9000);
  EXPECT_EQ(s.count(K::kCloseSocket), 0u);
  EXPECT_EQ(s.conn.state(), State::kOpen);
  EXPECT_EQ(s.conn.stats().pongs_received, 0u);
}

TEST(Heartbeat, ServerPingsAreAnsweredAndProveLife) {
  Sim s(fixed_delays());
  SocketId id = open_auto(s);
  s.peer.auto_respond = false;
  for (int i = 0; i < 10; ++i) {
    s.advance(8000);
    s.server_ping(id);
  }
  EXPECT_EQ(s.count(K::kSendPong), 10u);
  EXPECT_EQ(s.last(K::kSendPong)->socket, id);
  EXPECT_EQ(s.count(K::kSendPing), 0u);
  Config quiet = fixed_delays();
  quiet.answer_server_pings = false;
  Sim q(quiet);
  SocketId qid = open_auto(q);
  q.server_ping(qid);
  EXPECT_EQ(q.count(K::kSendPong), 0u);
}

TEST(Heartbeat, DisabledHeartbeatNeverPings) {
  Config c = fixed_delays();
  c.ping_interval = kNever;
  Sim s(c);
  open_auto(s);
  s.advance(1e9);
  EXPECT_EQ(s.count(K::kSendPing), 0u);
  EXPECT_EQ(s.conn.poll_timeout(), kNever);
}

// --- Dead links: abandon, don't wait ----------------------------------------------------------

TEST(DeadLink, HalfOpenIsAbandonedAndReplacedWithoutWaitingForClose) {
  Config c;  // defaults, full jitter
  c.seed = 7;
  Sim s(c);
  SocketId first = open_auto(s);
  const Millis died = s.now + 1234;
  s.advance(1234);
  s.peer.link_healthy = false;  // nothing arrives and nothing closes, like a dead NAT mapping
  s.run_until(died + 60000);
  ASSERT_GE(s.count(K::kOpenSocket), 2u);
  const Millis reopened = s.times_of(K::kOpenSocket)[1];
  // Within ping_interval + pong_timeout (from the last sign of life) + the first backoff delay.
  EXPECT_LE(reopened - died, c.ping_interval + c.pong_timeout + c.reconnect_delay);
  const Output* close = nullptr;
  for (const auto& o : s.all())
    if (!close && o.kind == K::kCloseSocket) close = &o;
  ASSERT_NE(close, nullptr);
  EXPECT_EQ(close->socket, first);
  EXPECT_EQ(close->cause, CloseCause::kPongTimeout);
  EXPECT_EQ(close->code, kCodePongTimeout);
  EXPECT_GE(s.conn.stats().dead_links, 1u);
  // The browser's onclose for the abandoned socket comes a minute later: ignored.
  const auto before = s.all().size();
  const State state = s.conn.state();
  s.closed(first, 1006);
  s.error(first);
  EXPECT_EQ(s.all().size(), before);
  EXPECT_EQ(s.conn.state(), state);
  expect_trace(s, "half_open");
}

TEST(DeadLink, ConnectTimeoutAbandonsAnUnansweredHandshake) {
  Sim s(fixed_delays());
  s.peer.auto_respond = true;
  s.peer.server = Peer::Server::kBlackhole;
  s.open();
  s.run_until(10000);
  const Output* close = s.last(K::kCloseSocket);
  ASSERT_NE(close, nullptr);
  EXPECT_EQ(close->cause, CloseCause::kConnectTimeout);
  EXPECT_EQ(close->code, kCodeConnectTimeout);
  EXPECT_EQ(s.conn.state(), State::kBackoff);
  s.peer.server = Peer::Server::kUp;
  s.run_until(11050);
  EXPECT_EQ(s.conn.state(), State::kOpen);
  expect_trace(s, "connect_timeout");
}

TEST(DeadLink, ErrorThenCloseStartsOneReconnectOnly) {
  Sim s(fixed_delays());
  SocketId id = open_auto(s);
  s.peer.auto_respond = false;
  s.error(id);
  s.closed(id, 1006);
  s.closed(id, 1006);
  EXPECT_EQ(s.count(K::kReconnecting), 1u);
  s.advance(1000);
  EXPECT_EQ(s.count(K::kOpenSocket), 2u);
}

// --- Reconnection -------------------------------------------------------------------------------

TEST(Reconnect, ExponentialBackoffCappedThenGivesUp) {
  Config c = fixed_delays();
  c.max_retries = 8;
  Sim s(c);
  s.peer.auto_respond = true;
  s.peer.server = Peer::Server::kRefusing;
  s.peer.connect_latency = 0;
  s.open();
  s.run_until(1e7);
  std::vector<double> delays;
  for (const auto& o : s.all())
    if (o.kind == K::kReconnecting) delays.push_back(o.value);
  EXPECT_EQ(delays, (std::vector<double>{1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000}));
  EXPECT_EQ(s.conn.state(), State::kGaveUp);
  EXPECT_EQ(s.count(K::kOpenSocket), 9u);  // the first connect and 8 retries
  EXPECT_EQ(s.last(K::kGaveUp)->attempt, 8u);
  EXPECT_EQ(s.last(K::kClosed)->will_reconnect, false);
  EXPECT_EQ(s.conn.poll_timeout(), kNever);
  expect_trace(s, "backoff_then_give_up");
}

TEST(Reconnect, FirstConnectionFailureIsRetried) {  // aspnetcore #24957
  Sim s(fixed_delays());
  s.peer.auto_respond = true;
  s.peer.server = Peer::Server::kRefusing;
  s.open();
  s.advance(50);
  EXPECT_EQ(s.conn.state(), State::kBackoff);
  s.peer.server = Peer::Server::kUp;
  s.advance(1050);
  EXPECT_EQ(s.conn.state(), State::kOpen);
  EXPECT_EQ(s.last(K::kOpened)->attempt, 1u);
}

TEST(Reconnect, NoStuckLockAfterGivingUp) {  // reconnecting-websocket #125, partysocket #252
  Config c = fixed_delays();
  c.max_retries = 2;
  Sim s(c);
  s.peer.auto_respond = true;
  s.peer.server = Peer::Server::kRefusing;
  s.open();
  s.run_until(1e6);
  ASSERT_EQ(s.conn.state(), State::kGaveUp);
  ASSERT_EQ(s.count(K::kOpenSocket), 3u);  // the first connect and two retries
  auto retries_asked = [&s] {
    std::vector<std::uint32_t> attempts;
    for (const auto& o : s.take())
      if (o.kind == K::kOpenSocket) attempts.push_back(o.attempt);
    return attempts;
  };
  s.peer.server = Peer::Server::kUp;
  EXPECT_EQ(s.reconnect(), CommandResult::kOk);
  s.run_until(s.now + 1000);
  EXPECT_EQ(s.conn.state(), State::kOpen);
  // And the count starts again: two more failures are allowed before giving up again.
  s.peer.server = Peer::Server::kRefusing;
  s.take();
  s.closed(s.conn.live_socket(), 1006);
  s.run_until(2e6);
  EXPECT_EQ(retries_asked(), (std::vector<std::uint32_t>{1, 2}));
  EXPECT_EQ(s.conn.state(), State::kGaveUp);
  EXPECT_EQ(s.last(K::kGaveUp)->attempt, 2u);
  EXPECT_EQ(s.conn.stats().retries, 2u);
  // open() after giving up starts a fresh run too: a first connect, then two retries again.
  EXPECT_EQ(s.open(), CommandResult::kOk);
  s.run_until(3e6);
  EXPECT_EQ(retries_asked(), (std::vector<std::uint32_t>{0, 1, 2}));
  EXPECT_EQ(s.conn.state(), State::kGaveUp);
  EXPECT_EQ(s.last(K::kGaveUp)->attempt, 2u);
  s.peer.server = Peer::Server::kUp;
  EXPECT_EQ(s.open(), CommandResult::kOk);
  s.run_until(s.now + 1000);
  EXPECT_EQ(s.conn.state(), State::kOpen);
}

TEST(Reconnect, NoneAfterAnExplicitClose) {  // sockette #49, centrifuge #92, phoenix #6578
  Sim s(fixed_delays());
  SocketId id = open_auto(s);
  EXPECT_EQ(s.close(1000), CommandResult::kOk);
  const Output* c = s.last(K::kCloseSocket);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->socket, id);
  EXPECT_EQ(c->cause, CloseCause::kExplicit);
  EXPECT_FALSE(s.last(K::kClosed)->will_reconnect);
  const auto before = s.all().size();
  s.closed(id, 1000, true);
  s.error(id);
  s.network(false);
  s.network(true);
  s.foreground(true);
  EXPECT_EQ(s.reconnect(), CommandResult::kIgnored);
  EXPECT_EQ(s.close(), CommandResult::kIgnored);
  s.run_until(1e8);
  EXPECT_EQ(s.all().size(), before) << "nothing at all after an explicit close";
  EXPECT_EQ(s.conn.state(), State::kClosed);
  expect_trace(s, "explicit_close");
}

TEST(Reconnect, ExplicitCloseDuringBackoffCancelsTheAttempt) {
  Sim s(fixed_delays());
  SocketId id = open_auto(s);
  s.peer.auto_respond = false;
  s.closed(id, 1006);
  ASSERT_EQ(s.conn.state(), State::kBackoff);
  const auto closes = s.count(K::kClosed);
  EXPECT_EQ(s.close(), CommandResult::kOk);
  EXPECT_EQ(s.conn.state(), State::kClosed);
  // The app had its close event when the socket went; no socket, no second one.
  EXPECT_EQ(s.count(K::kClosed), closes);
  EXPECT_EQ(s.conn.poll_timeout(), kNever);
  s.run_until(1e7);
  EXPECT_EQ(s.count(K::kOpenSocket), 1u);
}

TEST(Reconnect, CloseCodeThousandFromAProxyIsNotFinal) {  // phoenix #3161
  Sim s(fixed_delays());
  SocketId id = open_auto(s);
  s.closed(id, 1000, true);
  EXPECT_TRUE(s.last(K::kClosed)->will_reconnect);
  s.advance(1100);
  EXPECT_EQ(s.conn.state(), State::kOpen);
}

TEST(Reconnect, TheAppDecidesWhichClosesAreFinal) {
  Sim s(fixed_delays());
  SocketId id = open_auto(s);
  s.closed(id, 4403, true, /*reconnect_allowed=*/false);
  EXPECT_EQ(s.conn.state(), State::kClosed);
  EXPECT_EQ(s.last(K::kClosed)->cause, CloseCause::kFinal);
  EXPECT_FALSE(s.last(K::kClosed)->will_reconnect);
  s.run_until(1e7);
  EXPECT_EQ(s.count(K::kOpenSocket), 1u);
}

TEST(Reconnect, FailuresResetOnlyAfterMinUptime) {
  Config c = fixed_delays();
  Sim s(c);
  SocketId id = open_auto(s);
  // Connections that die within min_uptime keep growing the backoff...
  std::vector<double> delays;
  for (int i = 0; i < 4; ++i) {
    s.advance(1000);
    s.closed(id, 1006);
    delays.push_back(s.last(K::kReconnecting)->value);
    s.run_until(s.conn.poll_timeout() + 50);
    id = s.conn.live_socket();
  }
  EXPECT_EQ(delays, (std::vector<double>{1000, 2000, 4000, 8000}));
  // ...one that stays up min_uptime resets it.
  s.advance(5000);
  s.closed(id, 1006);
  EXPECT_EQ(s.last(K::kReconnecting)->value, 1000);
  EXPECT_EQ(s.last(K::kReconnecting)->attempt, 1u);
  expect_trace(s, "min_uptime_reset");
}

TEST(Reconnect, ADeadLinkIsUsefulOnlyUntilItsLastSignOfLife) {
  Config c = fixed_delays();
  c.min_uptime = 15000;
  Sim s(c);
  open_auto(s);
  s.peer.link_healthy = false;  // dies at once; noticed 20 s later
  s.run_until(s.now + 20000);
  ASSERT_EQ(s.conn.stats().dead_links, 1u);
  EXPECT_EQ(s.conn.stats().retries, 0u);
  s.peer.link_healthy = true;
  s.run_until(s.now + 1100);
  s.peer.link_healthy = false;
  s.run_until(s.now + 20000);
  // The second reconnect waits 2 s: the first connection was not useful though it lived 20 s.
  EXPECT_EQ(s.last(K::kReconnecting)->value, 2000);
}

TEST(Reconnect, ForcedReconnectReplacesTheSocketOneMillisecondLater) {
  Sim s(fixed_delays());
  SocketId id = open_auto(s);
  s.take();
  EXPECT_EQ(s.reconnect(), CommandResult::kOk);
  const auto out = s.take();
  // Abandoned with a handshake, the state first, then the close event and the announcement; the
  // new socket is not asked for inside the call (a listener calling reconnect() cannot loop).
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].kind, K::kCloseSocket);
  EXPECT_EQ(out[0].socket, id);
  EXPECT_EQ(out[0].cause, CloseCause::kForced);
  EXPECT_EQ(out[0].code, kCodeReconnect);
  EXPECT_EQ(out[1].kind, K::kStateChanged);
  EXPECT_EQ(out[1].to, State::kBackoff);
  EXPECT_EQ(out[2].kind, K::kClosed);
  EXPECT_TRUE(out[2].will_reconnect);
  EXPECT_EQ(out[2].cause, CloseCause::kForced);
  EXPECT_EQ(out[3].kind, K::kReconnecting);
  EXPECT_EQ(out[3].attempt, 0u);
  EXPECT_EQ(out[3].value, kMinDuration);
  EXPECT_EQ(s.conn.poll_timeout(), s.now + kMinDuration);
  // Asked again while the fresh attempt is pending: nothing more to do.
  EXPECT_EQ(s.reconnect(), CommandResult::kIgnored);
  EXPECT_TRUE(s.take().empty());
  s.advance(kMinDuration);
  EXPECT_EQ(s.last(K::kOpenSocket)->socket, id + 1);
  EXPECT_EQ(s.last(K::kOpenSocket)->attempt, 0u);
  EXPECT_EQ(s.times_of(K::kOpenSocket).back(), s.now);
  EXPECT_EQ(s.conn.state(), State::kConnecting);
  s.advance(50);
  EXPECT_EQ(s.conn.state(), State::kOpen);
  // Stale events of the old socket change nothing.
  const auto before = s.all().size();
  s.opened(id);
  s.pong(id);
  s.server_ping(id);
  s.closed(id, 1000, true);
  EXPECT_EQ(s.all().size(), before);
  EXPECT_EQ(s.conn.live_socket(), id + 1);
}

TEST(Reconnect, NoJitterMeansLockstepFullJitterSpreads) {  // phoenix #4045
  auto first_delay = [](double jitter, std::uint64_t seed) {
    Config c;
    c.jitter = jitter;
    c.seed = seed;
    Sim s(c);
    SocketId id = open_auto(s);
    s.closed(id, 1006);
    return s.last(K::kReconnecting)->value;
  };
  std::vector<double> none, full;
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    none.push_back(first_delay(0, seed));
    full.push_back(first_delay(1, seed));
  }
  std::sort(full.begin(), full.end());
  EXPECT_EQ(std::count(none.begin(), none.end(), 1000.0), 50);
  EXPECT_EQ(std::unique(full.begin(), full.end()) - full.begin(), 50);
  EXPECT_LT(full.front(), 200);
  EXPECT_GT(full.back(), 800);
}

// --- Late timers are not evidence, silence is ---------------------------------------------------

TEST(LateTimers, AnOverdueVerdictEarnsAFreshProbe) {  // socket.io #4040/#5135, SignalR #4536
  Sim s(fixed_delays());
  SocketId id = open_auto(s);
  s.peer.auto_respond = false;
  s.advance(10000);
  ASSERT_EQ(s.count(K::kSendPing), 1u);
  // The tab is throttled: the pong deadline (due 10 s after the ping) runs a minute late.
  s.sleep_until(s.now + 60000);
  EXPECT_EQ(s.count(K::kCloseSocket), 0u);
  EXPECT_EQ(s.count(K::kSendPing), 2u) << "a fresh probe instead of a verdict";
  EXPECT_EQ(s.conn.stats().late_timers, 1u);
  s.advance(100);
  s.pong(id);  // socket events are not throttled: the pong arrives
  EXPECT_EQ(s.conn.state(), State::kOpen);
  EXPECT_EQ(s.last(K::kHeartbeat)->value, 100);
  expect_trace(s, "late_timer_probe");
}

TEST(LateTimers, SilenceStandsWhenTheProbeIsLateTooAndNothingCame) {
  Sim s(fixed_delays());
  open_auto(s);
  s.peer.auto_respond = false;
  s.advance(10000);
  s.sleep_until(s.now + 60000);  // late: probe
  ASSERT_EQ(s.conn.state(), State::kOpen);
  s.sleep_until(s.now + 60000);  // late again, and nothing at all arrived: dead
  EXPECT_EQ(s.last(K::kCloseSocket)->cause, CloseCause::kPongTimeout);
  EXPECT_NE(s.conn.state(), State::kOpen);
}

TEST(LateTimers, ActivityBetweenLateDeadlinesRenewsTheGrace) {
  Sim s(fixed_delays());
  SocketId id = open_auto(s);
  s.peer.auto_respond = false;
  for (int i = 0; i < 5; ++i) {
    s.advance(10000);              // a ping goes out
    s.sleep_until(s.now + 60000);  // its deadline runs late: probe
    s.activity(id);                // something arrived
  }
  EXPECT_EQ(s.conn.state(), State::kOpen);
  EXPECT_EQ(s.count(K::kCloseSocket), 0u);
}

TEST(LateTimers, InboundAfterAnOverdueDeadlineCountsBeforeTheDeadline) {
  Sim s(fixed_delays());
  SocketId id = open_auto(s);
  s.peer.auto_respond = false;
  s.advance(10000);
  // The phone was frozen; on resume the queued pong is handled before the timer.
  s.now += 30000;
  s.pong(id);
  EXPECT_EQ(s.conn.state(), State::kOpen);
  EXPECT_EQ(s.count(K::kCloseSocket), 0u);
  EXPECT_GT(s.conn.poll_timeout(), s.now);
}

TEST(LateTimers, OnTimeDeadlinesStillCondemn) {
  Sim s(fixed_delays());
  open_auto(s);
  s.peer.auto_respond = false;
  s.advance(10000);
  s.sleep_until(s.now + 10000 + 1999);  // within timer_slack: a verdict
  EXPECT_EQ(s.last(K::kCloseSocket)->cause, CloseCause::kPongTimeout);
}

TEST(LateTimers, ALateConnectDeadlineWaitsOnceMore) {
  Sim s(fixed_delays());
  s.open();
  SocketId id = s.conn.live_socket();
  s.sleep_until(60000);
  EXPECT_EQ(s.conn.state(), State::kConnecting);
  s.opened(id);  // the open was queued behind the timer
  EXPECT_EQ(s.conn.state(), State::kOpen);
}

// --- Stats ---------------------------------------------------------------------------------------

TEST(Stats, CountAttemptsConnectsPingsPongsAndRtt) {
  Sim s(fixed_delays());
  open_auto(s);
  s.run_until(s.now + 35000);
  const Stats& st = s.conn.stats();
  EXPECT_EQ(st.attempts, 1u);
  EXPECT_EQ(st.connects, 1u);
  EXPECT_EQ(st.pings_sent, 3u);
  EXPECT_EQ(st.pongs_received, 3u);
  EXPECT_EQ(st.last_rtt, 40);
  EXPECT_EQ(st.state, State::kOpen);
  s.reconnect();
  s.advance(kMinDuration + 50);
  EXPECT_EQ(s.conn.stats().attempts, 2u);
  EXPECT_EQ(s.conn.stats().connects, 2u);
}

}  // namespace
}  // namespace lifeline::test
