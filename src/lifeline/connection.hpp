// The sans-IO state machine of one connection's life. It reads no clock, owns no timer, touches no
// socket and throws nothing: every input carries `now`, and what it decides comes out of poll().
//
// Driving it:
//   after every input, drain poll() and carry out the actions; then arm one timer for
//   poll_timeout() and call handle_timeout(now) when it fires (early, late or twice is harmless).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include "lifeline/config.hpp"
#include "lifeline/hint.hpp"
#include "lifeline/types.hpp"

namespace lifeline {

class Connection {
 public:
  // No Retry-After (handle_attempt_failed, handle_socket_error).
  static constexpr Millis kNoHint = std::numeric_limits<double>::quiet_NaN();

  explicit Connection(const Config& config);

  // Every command and input returns kInvalidTime, and changes nothing, when `now` is not finite.
  // Time that goes backwards counts as no time passing. After every accepted input,
  // poll_timeout() is strictly later than now (or kNever).

  // --- commands from the app ---
  // Start connecting (from Idle, Closed or GaveUp: a fresh run with the failure count at zero).
  CommandResult open(Millis now);
  // Final: closes the live socket (if any) with `code`, cancels any reconnect. A `closed` event
  // only if a socket was live; kInvalidArgument if a client may not send `code`.
  CommandResult close(Millis now, int code = kCodeNormal);
  // A fresh run: abandons the live socket, resets the failure count and skips any backoff. The
  // attempt starts kMinDuration later (from handle_timeout), never inside this call, so that a
  // reconnect() from a listener cannot loop; ignored while such a fresh attempt is pending.
  CommandResult reconnect(Millis now);

  // --- inputs from the socket with id `socket`; any id but the live one is ignored ---
  CommandResult handle_socket_opened(SocketId socket, Millis now);
  // Inbound data proves life. `at` is when it arrived: a shim may batch this and report only the
  // latest arrival, just before its next call, so that no per-message call is needed.
  CommandResult handle_activity(SocketId socket, Millis at);
  CommandResult handle_pong(SocketId socket, Millis now);
  CommandResult handle_server_ping(SocketId socket, Millis now);
  // `retry_after`: as for handle_attempt_failed, when the error is the server's HTTP 503 answer to
  // the upgrade (heeded only while connecting).
  CommandResult handle_socket_error(SocketId socket, Millis now, Millis retry_after = kNoHint);
  // The attempt failed before its socket could open: the URL could not be had, or the transport
  // refused it or failed before returning. Lost like an errored socket. `retry_after`: the
  // server's Retry-After in milliseconds (an HTTP 503 answer to the upgrade), NaN if none.
  CommandResult handle_attempt_failed(SocketId socket, Millis now, Millis retry_after = kNoHint);
  // The peer broke the resume protocol on the open socket (lifeline/client.hpp decides that):
  // it is closed with kCodeProtocolError and lost like an errored socket. `useful`: false when
  // the socket never carried the app's traffic (its handshake went unanswered): then its time open
  // does not count toward min_uptime.
  CommandResult handle_protocol_error(SocketId socket, Millis now, bool useful = true);
  // `reconnect_allowed`: the app's verdict on this close (false makes it final). `reason`: the
  // close frame's reason; for 1012/1013 it may carry a retry hint (lifeline/hint.hpp).
  CommandResult handle_socket_closed(SocketId socket, Millis now, int code, bool was_clean,
                                     bool reconnect_allowed, std::string_view reason = {});

  // --- time and platform ---
  CommandResult handle_timeout(Millis now);
  CommandResult handle_network(bool online, Millis now);
  CommandResult handle_foreground(bool foreground, Millis now);

  // --- outputs ---
  // The next instant at which handle_timeout must be called; kNever if none.
  Millis poll_timeout() const;
  // Pops the oldest output into `out`; false when there is none. Outputs not yet polled that a
  // later input made untrue are withdrawn (a `reconnecting` before a close(), the open-socket of
  // a socket abandoned before the shim created it).
  bool poll(Output& out);
  std::size_t pending_outputs() const { return outputs_.size() - read_; }

  // --- introspection ---
  State state() const { return state_; }
  SocketId live_socket() const { return socket_; }
  const Stats& stats() const { return stats_; }
  const Config& config() const { return config_; }
  bool config_valid() const { return config_valid_; }
  bool suspended() const;
  // The delay drawn for the n-th reconnect (0-based), with a jitter draw u in [0, 1).
  static Millis backoff_delay(const Config& config, std::uint32_t n, double u);
  // The latest `now` the core has accepted (-infinity before the first).
  Millis now() const { return now_; }
  // How long the next ping waits for its pong: pong_timeout, or the learnt deadline.
  Millis pong_wait() const;

 private:
  // Accepts `now` (false if not finite) and makes it the effective now: never earlier than before.
  bool advance(Millis& now);
  // `now` + `d`, but never `now` itself: a deadline always lies strictly in the future, even
  // where adding `d` does not move a large clock.
  static Millis after(Millis now, Millis d);
  bool is_live_socket(SocketId socket) const { return socket != 0 && socket == socket_; }
  // Withdraws the outputs not yet polled that concern `socket`; true if its open-socket was
  // among them (the shim never created it).
  bool withdraw(SocketId socket);
  void withdraw_reconnecting();
  // The live socket goes away and the state becomes `next`: a close-socket action (if `close_it`)
  // and a `closed` event, unless the shim never heard of the socket. The state change comes
  // first, so that events carry the state after the change.
  void abandon(int code, CloseCause cause, bool was_clean, bool close_it, bool will_reconnect,
               State next);
  void set_state(State to);
  void emit(const Output& out);
  void run_timers(Millis now);
  void fire(Millis due, Millis now);
  void start_attempt(Millis now, bool counted);
  void emit_reconnecting(std::uint32_t attempt, Millis delay);
  void send_ping(Millis now);
  // The live socket is gone (or abandoned): decide what comes next.
  // `hint`: the server's word on when to come back (null if none).
  void lose_socket(Millis now, int code, CloseCause cause, bool was_clean, bool close_it,
                   bool reconnect_allowed, const RetryHint* hint = nullptr);
  // The delay a server's hint asks for, as this client follows it (and whether it is free).
  Millis hinted_delay(const RetryHint& hint);
  // A 503's Retry-After as a hint (its window restart_window), or none.
  std::optional<RetryHint> retry_after_hint(Millis retry_after) const;
  void learn_rtt(double rtt);
  void forget_rtt();
  void resume(Millis now);
  void pause_or_probe(Millis now);
  void probe(Millis now);
  void note_life(Millis at);
  double next_uniform();

  Config config_;
  bool config_valid_;
  State state_ = State::kIdle;
  Stats stats_;

  Millis now_ = -kNever;
  SocketId socket_ = 0;  // the live socket, 0 if none
  SocketId last_id_ = 0;
  std::uint32_t attempt_ = 0;  // the live socket's attempt number
  bool first_attempt_ = true;  // the next attempt starts a run and is not counted as a retry

  Millis connect_deadline_ = kNever;
  Millis opened_at_ = 0;
  Millis last_life_ = 0;        // the latest inbound sign of life on the live socket
  bool awaiting_pong_ = false;  // a ping is out and nothing inbound has followed it
  bool rtt_pending_ = false;    // a ping is out and its pong has not come (for the rtt)
  Millis ping_sent_at_ = 0;
  Millis pong_deadline_ = kNever;
  Millis ping_wait_ = kNever;   // what the outstanding ping was given (pong_wait() when sent)
  bool grace_used_ = false;     // a late verdict deadline already earned its fresh probe
  bool probing_ = false;        // the outstanding ping missed its learnt deadline: one more probe
  bool rtt_ambiguous_ = false;  // a fresh probe went out before the pong: do not learn its rtt

  // The live socket's round-trip estimator (RFC 6298): smoothed rtt and its mean deviation.
  double srtt_ = 0;
  double rttvar_ = 0;
  std::uint32_t rtt_samples_ = 0;

  bool hinted_ = false;     // the pending attempt follows a server's hint: no platform signal
                            // brings it forward
  bool hint_free_ = false;  // ... and it spends no retry (the first hint after a useful connection)
  Millis hint_at_ = kNever;  // when the hint lets it start
  // Hinted losses in a row with no useful connection (min_uptime) between: after the first, they
  // count as retries.
  std::uint32_t hint_streak_ = 0;

  Millis retry_at_ = kNever;
  bool online_ = true;
  bool foreground_ = true;

  std::uint64_t rng_;
  std::vector<Output> outputs_;
  std::size_t read_ = 0;
};

}  // namespace lifeline
