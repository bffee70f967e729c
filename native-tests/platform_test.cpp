// Platform signals: network online/offline, app foreground/background (tab visible/hidden).
#include <gtest/gtest.h>

#include "sim.hpp"

namespace lifeline::test {
namespace {

using K = OutputKind;

TEST(Network, OfflinePausesAttemptsWithoutSpendingThem) {
  Config c = fixed_delays();
  c.max_retries = 3;
  Sim s(c);
  SocketId id = open_auto(s);
  s.peer.auto_respond = false;
  s.closed(id, 1006);
  ASSERT_EQ(s.conn.state(), State::kBackoff);
  s.network(false);
  EXPECT_EQ(s.conn.state(), State::kPaused);
  EXPECT_EQ(s.conn.poll_timeout(), kNever);
  s.run_until(s.now + 3600000);  // an hour offline: no attempt, nothing spent
  EXPECT_EQ(s.count(K::kOpenSocket), 1u);
  EXPECT_EQ(s.conn.stats().retries, 0u);
  s.network(true);  // back online: at once, not after the backoff
  EXPECT_EQ(s.count(K::kOpenSocket), 2u);
  EXPECT_EQ(s.times_of(K::kOpenSocket).back(), s.now);
  EXPECT_EQ(s.last(K::kOpenSocket)->attempt, 1u);
  EXPECT_EQ(s.last(K::kReconnecting)->value, 0);
  expect_trace(s, "offline_pause_online_resume");
}

TEST(Network, ASocketLostWhileOfflineWaitsForTheNetwork) {
  Config c = fixed_delays();
  Sim s(c);
  SocketId id = open_auto(s);
  s.peer.auto_respond = false;
  s.network(false);
  // Going offline probes the open socket at once.
  EXPECT_EQ(s.count(K::kSendPing), 1u);
  s.advance(10000);
  EXPECT_EQ(s.last(K::kCloseSocket)->socket, id);
  EXPECT_EQ(s.conn.state(), State::kPaused);
  EXPECT_TRUE(s.last(K::kClosed)->will_reconnect);
  s.advance(600000);
  EXPECT_EQ(s.count(K::kOpenSocket), 1u);
  s.network(true);
  EXPECT_EQ(s.conn.state(), State::kConnecting);
}

TEST(Network, BackOnlineReconnectsNowNotAfterTheBackoff) {  // centrifuge #203
  Config c = fixed_delays();
  c.reconnect_delay = 60000;
  c.max_reconnect_delay = 60000;
  Sim s(c);
  SocketId id = open_auto(s);
  s.closed(id, 1006);
  EXPECT_EQ(s.last(K::kReconnecting)->value, 60000);
  s.advance(1000);
  s.network(true);  // an online event while waiting (a flaky link came back)
  EXPECT_EQ(s.count(K::kOpenSocket), 2u);
  EXPECT_EQ(s.times_of(K::kOpenSocket).back(), s.now);
}

TEST(Network, OnlineWhileOpenProbes) {
  Sim s(fixed_delays());
  SocketId id = open_auto(s);
  s.advance(3000);
  s.network(true);
  EXPECT_EQ(s.count(K::kSendPing), 1u);
  EXPECT_EQ(s.last(K::kSendPing)->socket, id);
  s.advance(40);
  EXPECT_EQ(s.conn.stats().pongs_received, 1u);
}

TEST(Network, OpenWhileOfflineWaitsForTheNetwork) {
  Sim s(fixed_delays());
  s.network(false);
  EXPECT_EQ(s.open(), CommandResult::kOk);
  EXPECT_EQ(s.conn.state(), State::kPaused);
  EXPECT_EQ(s.count(K::kOpenSocket), 0u);
  s.network(true);
  EXPECT_EQ(s.last(K::kOpenSocket)->attempt, 0u);
  EXPECT_EQ(s.count(K::kReconnecting), 0u) << "the first connect is not a reconnect";
}

TEST(Network, OfflineStillLetsTheLastFailureGiveUp) {
  Config c = fixed_delays();
  c.max_retries = 1;
  Sim s(c);
  s.peer.auto_respond = true;
  s.peer.server = Peer::Server::kRefusing;
  s.open();
  s.advance(1050);  // first connect and its one retry have failed
  s.network(false);
  s.advance(100);
  EXPECT_EQ(s.conn.state(), State::kGaveUp);
  EXPECT_EQ(s.count(K::kOpenSocket), 2u);
}

TEST(Foreground, ShownProbesAnOpenSocket) {
  Sim s(fixed_delays());
  SocketId id = open_auto(s);
  s.foreground(false);
  s.advance(3000);
  s.foreground(true);
  EXPECT_EQ(s.last(K::kSendPing)->socket, id);
  EXPECT_EQ(s.times_of(K::kSendPing).back(), s.now);
}

TEST(Foreground, MiniProgramBackgroundPausesAndShowReconnectsAtOnce) {
  Config c = fixed_delays();
  c.pause_in_background = true;
  Sim s(c);
  SocketId id = open_auto(s);
  s.peer.auto_respond = false;
  s.foreground(false);
  s.advance(5000);
  s.closed(id, 1000, true);  // the platform cuts the socket ~5 s into the background
  EXPECT_EQ(s.conn.state(), State::kPaused);
  s.advance(3600000);
  EXPECT_EQ(s.count(K::kOpenSocket), 1u) << "no attempts burned while hidden";
  s.foreground(true);
  EXPECT_EQ(s.count(K::kOpenSocket), 2u);
  EXPECT_EQ(s.times_of(K::kOpenSocket).back(), s.now);
  expect_trace(s, "background_cut_and_show");
}

TEST(Foreground, HiddenBrowserTabKeepsReconnecting) {
  Sim s(fixed_delays());  // pause_in_background = false: a hidden tab still has a network
  SocketId id = open_auto(s);
  s.foreground(false);
  s.closed(id, 1006);
  EXPECT_EQ(s.conn.state(), State::kBackoff);
  s.advance(1000);
  EXPECT_EQ(s.count(K::kOpenSocket), 2u);
}

TEST(Foreground, HiddenAndOfflineBothMustClear) {
  Config c = fixed_delays();
  c.pause_in_background = true;
  Sim s(c);
  SocketId id = open_auto(s);
  s.peer.auto_respond = false;
  s.closed(id, 1006);
  s.foreground(false);
  s.network(false);
  EXPECT_EQ(s.conn.state(), State::kPaused);
  s.foreground(true);
  EXPECT_EQ(s.conn.state(), State::kPaused);
  s.network(true);
  EXPECT_EQ(s.conn.state(), State::kConnecting);
}

}  // namespace
}  // namespace lifeline::test
