// Every transition of the connection lives in this file (h11's rule): the commands, the socket
// inputs and the timers each switch on the state, so every (state, input) pair can be read here.
#include "lifeline/connection.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "lifeline/contract.hpp"

namespace lifeline {

namespace {

Output make(OutputKind kind, SocketId socket) {
  Output o;
  o.kind = kind;
  o.socket = socket;
  return o;
}

bool is_live(State s) {
  return s == State::kConnecting || s == State::kOpen || s == State::kBackoff ||
         s == State::kPaused;
}

}  // namespace

Connection::Connection(const Config& config)
    : config_(config), config_valid_(validate(config).empty()), rng_(config.seed) {
  outputs_.reserve(8);  // one input emits at most ~7 outputs: no growth, and 1M clients stay small
  stats_.pong_wait = config_.pong_timeout;
}

Millis Connection::pong_wait() const {
  if (!config_.adaptive_pong_timeout || rtt_samples_ < kRttSamplesNeeded ||
      config_.pong_timeout == kNever) {
    return config_.pong_timeout;  // (never: pings only measure, whatever is learnt)
  }
  // RFC 6298's RTO: SRTT + max(G, 4 * RTTVAR), between the app's floor and pong_timeout.
  const Millis learnt =
      std::max(config_.min_pong_timeout, srtt_ + std::max(kRttGranularity, 4 * rttvar_));
  return std::min(config_.pong_timeout, learnt);
}

void Connection::forget_rtt() {
  srtt_ = rttvar_ = 0;
  rtt_samples_ = 0;
  stats_.smoothed_rtt = -1;
  stats_.pong_wait = pong_wait();
}

void Connection::learn_rtt(double rtt) {
  // RFC 6298, 2.2 and 2.3 (alpha 1/8, beta 1/4).
  if (rtt_samples_ == 0) {
    srtt_ = rtt;
    rttvar_ = rtt / 2;
  } else {
    rttvar_ = 0.75 * rttvar_ + 0.25 * std::fabs(srtt_ - rtt);
    srtt_ = 0.875 * srtt_ + 0.125 * rtt;
  }
  if (rtt_samples_ < kRttSamplesNeeded) rtt_samples_++;
  stats_.smoothed_rtt = srtt_;
  stats_.pong_wait = pong_wait();
}

bool Connection::suspended() const {
  return !online_ || (!foreground_ && config_.pause_in_background);
}

Millis Connection::backoff_delay(const Config& config, std::uint32_t n, double u) {
  if (config.reconnect_delay == 0) return 0;
  const double grown = config.reconnect_delay * std::pow(config.backoff_factor, n);
  // Cap before jitter, so that jitter still spreads clients once the cap is reached.
  const double capped = grown <= config.max_reconnect_delay ? grown : config.max_reconnect_delay;
  return capped * (1 - config.jitter * u);
}

double Connection::next_uniform() {
  // splitmix64: tiny, and good enough to spread reconnects; the seed makes schedules replayable.
  std::uint64_t z = (rng_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

void Connection::emit(const Output& out) {
  if (read_ == outputs_.size()) {
    outputs_.clear();
    read_ = 0;
  }
  outputs_.push_back(out);
}

bool Connection::poll(Output& out) {
  if (read_ == outputs_.size()) {
    outputs_.clear();
    read_ = 0;
    return false;
  }
  out = outputs_[read_++];
  return true;
}

void Connection::set_state(State to) {
  if (to == state_) return;
  Output o = make(OutputKind::kStateChanged, 0);
  o.from = state_;
  o.to = to;
  state_ = to;
  stats_.state = to;
  emit(o);
}

Millis Connection::poll_timeout() const {
  switch (state_) {
    case State::kConnecting:
      return connect_deadline_;
    case State::kOpen:
      return awaiting_pong_ ? pong_deadline_ : after(last_life_, config_.ping_interval);
    case State::kBackoff:
      return retry_at_;
    case State::kIdle:
    case State::kPaused:
    case State::kGaveUp:
    case State::kClosed:
      return kNever;
  }
  return kNever;
}

// ---------------------------------------------------------------------------------------------
// Time

bool Connection::advance(Millis& now) {
  if (!std::isfinite(now)) return false;
  if (now < now_) {
    now = now_;  // a clock that stepped back: no time passed
  } else {
    now_ = now;
  }
  return true;
}

Millis Connection::after(Millis now, Millis d) {
  if (d == kNever) return kNever;
  const Millis t = now + d;
  return t > now ? t : std::nextafter(now, kNever);
}

// ---------------------------------------------------------------------------------------------
// Commands

CommandResult Connection::open(Millis now) {
  if (!std::isfinite(now)) return CommandResult::kInvalidTime;
  if (!config_valid_) return CommandResult::kInvalidConfig;
  if (is_live(state_)) return CommandResult::kIgnored;
  advance(now);
  stats_.retries = 0;
  first_attempt_ = true;
  hinted_ = false;
  hint_streak_ = 0;
  if (suspended()) {
    set_state(State::kPaused);
  } else {
    start_attempt(now, false);
  }
  return CommandResult::kOk;
}

CommandResult Connection::close(Millis now, int code) {
  if (!std::isfinite(now)) return CommandResult::kInvalidTime;
  if (!is_app_close_code(code)) return CommandResult::kInvalidArgument;
  if (state_ == State::kClosed) return CommandResult::kIgnored;
  advance(now);
  // What was announced and not yet seen is no longer true: no attempt will follow, nothing gives
  // up, and the app goes from the state it last saw straight to closed.
  withdraw_reconnecting();
  State seen = state_;
  bool pending_change = false;
  const auto first = outputs_.begin() + static_cast<std::ptrdiff_t>(read_);
  for (auto it = first; it != outputs_.end(); ++it) {
    if (it->kind == OutputKind::kClosed) it->will_reconnect = false;
    if (it->kind == OutputKind::kStateChanged && !pending_change) {
      seen = it->from;
      pending_change = true;
    }
  }
  outputs_.erase(std::remove_if(first, outputs_.end(),
                                [](const Output& o) {
                                  return o.kind == OutputKind::kStateChanged ||
                                         o.kind == OutputKind::kGaveUp;
                                }),
                 outputs_.end());
  state_ = seen;  // the one change to closed starts where the app last saw the state
  stats_.state = seen;
  retry_at_ = kNever;
  connect_deadline_ = kNever;
  awaiting_pong_ = false;
  hinted_ = false;
  if (socket_ != 0) {
    abandon(code, CloseCause::kExplicit, true, true, false, State::kClosed);
  } else {
    set_state(State::kClosed);  // no socket, no close event (the app has had one for each)
  }
  return CommandResult::kOk;
}

CommandResult Connection::reconnect(Millis now) {
  if (!std::isfinite(now)) return CommandResult::kInvalidTime;
  if (state_ == State::kIdle || state_ == State::kClosed) return CommandResult::kIgnored;
  if (state_ == State::kBackoff && first_attempt_) return CommandResult::kIgnored;  // pending
  advance(now);
  withdraw_reconnecting();
  // The app asked: a fresh run, whatever the backoff, the failure count or the network says. It
  // starts kMinDuration later, from handle_timeout: never inside this call.
  stats_.retries = 0;
  first_attempt_ = true;
  hinted_ = false;
  hint_streak_ = 0;
  retry_at_ = after(now, kMinDuration);
  if (socket_ != 0) {
    abandon(kCodeReconnect, CloseCause::kForced, true, true, true, State::kBackoff);
  } else {
    set_state(State::kBackoff);
  }
  emit_reconnecting(0, kMinDuration);
  return CommandResult::kOk;
}

// ---------------------------------------------------------------------------------------------
// Socket inputs. Each checks the time and the generation first: only the live socket speaks.

CommandResult Connection::handle_socket_opened(SocketId socket, Millis now) {
  if (!std::isfinite(now)) return CommandResult::kInvalidTime;
  if (!is_live_socket(socket) || state_ != State::kConnecting) return CommandResult::kIgnored;
  advance(now);
  opened_at_ = now;
  last_life_ = now;
  awaiting_pong_ = false;
  rtt_pending_ = false;
  grace_used_ = false;
  probing_ = false;
  forget_rtt();  // a new socket may take another path: its round trips are learnt afresh
  connect_deadline_ = kNever;
  stats_.connects++;
  set_state(State::kOpen);
  emit(make(OutputKind::kFlushQueue, socket));
  Output e = make(OutputKind::kOpened, socket);
  e.attempt = attempt_;
  emit(e);
  run_timers(now);
  return CommandResult::kOk;
}

void Connection::note_life(Millis at) {
  if (!(at > last_life_)) return;  // nothing newer than what is known
  last_life_ = at;
  grace_used_ = false;
  if (awaiting_pong_ && at >= ping_sent_at_) {
    awaiting_pong_ = false;
    probing_ = false;
  }
}

CommandResult Connection::handle_activity(SocketId socket, Millis at) {
  if (!std::isfinite(at)) return CommandResult::kInvalidTime;
  if (!is_live_socket(socket) || state_ != State::kOpen) return CommandResult::kIgnored;
  Millis now = at;
  advance(now);  // an arrival reported late is still life at `at`; it never moves time back
  note_life(at);
  run_timers(now);
  return CommandResult::kOk;
}

CommandResult Connection::handle_pong(SocketId socket, Millis now) {
  if (!std::isfinite(now)) return CommandResult::kInvalidTime;
  if (!is_live_socket(socket) || state_ != State::kOpen) return CommandResult::kIgnored;
  advance(now);
  if (rtt_pending_) {
    rtt_pending_ = false;
    // >= 0: time never goes back in here; finite even across the whole range of doubles.
    const double rtt = std::min(now - ping_sent_at_, std::numeric_limits<double>::max());
    stats_.pongs_received++;
    stats_.last_rtt = rtt;
    // Measured from the first ping of a probe pair: a pong that came late widens the estimate. Not
    // after a late timer's fresh probe (Karn's rule): that pong may answer the ping before it.
    if (!rtt_ambiguous_) learn_rtt(rtt);
    Output e = make(OutputKind::kHeartbeat, socket);
    e.value = rtt;
    emit(e);
  }
  awaiting_pong_ = false;
  probing_ = false;
  grace_used_ = false;
  last_life_ = std::max(last_life_, now);
  run_timers(now);
  return CommandResult::kOk;
}

CommandResult Connection::handle_server_ping(SocketId socket, Millis now) {
  if (!std::isfinite(now)) return CommandResult::kInvalidTime;
  if (!is_live_socket(socket) || state_ != State::kOpen) return CommandResult::kIgnored;
  advance(now);
  note_life(now);
  if (config_.answer_server_pings) emit(make(OutputKind::kSendPong, socket));
  run_timers(now);
  return CommandResult::kOk;
}

CommandResult Connection::handle_socket_error(SocketId socket, Millis now, Millis retry_after) {
  if (!std::isfinite(now)) return CommandResult::kInvalidTime;
  if (!is_live_socket(socket)) return CommandResult::kIgnored;
  advance(now);
  // A Retry-After answers the upgrade: heeded only while connecting.
  const auto hint =
      state_ == State::kConnecting ? retry_after_hint(retry_after) : std::optional<RetryHint>();
  // Abandon at once and close it, so that its resources (a mini-program's socket slot) are
  // freed; the close that usually follows an error carries a stale id and is ignored.
  lose_socket(now, kCodeAbnormal, CloseCause::kError, false, true, true, hint ? &*hint : nullptr);
  run_timers(now);
  return CommandResult::kOk;
}

CommandResult Connection::handle_attempt_failed(SocketId socket, Millis now, Millis retry_after) {
  if (!std::isfinite(now)) return CommandResult::kInvalidTime;
  if (!is_live_socket(socket) || state_ != State::kConnecting) return CommandResult::kIgnored;
  advance(now);
  const auto hint = retry_after_hint(retry_after);
  lose_socket(now, kCodeAbnormal, CloseCause::kError, false, true, true, hint ? &*hint : nullptr);
  run_timers(now);
  return CommandResult::kOk;
}

CommandResult Connection::handle_protocol_error(SocketId socket, Millis now, bool useful) {
  if (!std::isfinite(now)) return CommandResult::kInvalidTime;
  if (!is_live_socket(socket) || state_ != State::kOpen) return CommandResult::kIgnored;
  advance(now);
  // A socket that never became useful (its handshake unanswered) counts no uptime: the failure
  // count and backoff go on, as after a connect timeout.
  if (!useful) opened_at_ = now;
  lose_socket(now, kCodeProtocolError, CloseCause::kProtocol, false, true, true);
  run_timers(now);
  return CommandResult::kOk;
}

CommandResult Connection::handle_socket_closed(SocketId socket, Millis now, int code,
                                               bool was_clean, bool reconnect_allowed,
                                               std::string_view reason) {
  if (!std::isfinite(now)) return CommandResult::kInvalidTime;
  if (!is_live_socket(socket)) return CommandResult::kIgnored;
  advance(now);
  RetryHint hint;
  const bool hinted = config_.server_hints && is_hint_code(code);
  if (hinted) {
    hint.window = config_.restart_window;  // a restart without a hint: the default spread
    parse_retry_hint(reason, hint);
  }
  lose_socket(now, code, reconnect_allowed ? CloseCause::kRemote : CloseCause::kFinal, was_clean,
              false, reconnect_allowed, hinted ? &hint : nullptr);
  run_timers(now);
  return CommandResult::kOk;
}

// ---------------------------------------------------------------------------------------------
// Time and platform

CommandResult Connection::handle_timeout(Millis now) {
  if (!advance(now)) return CommandResult::kInvalidTime;
  run_timers(now);
  return CommandResult::kOk;
}

void Connection::run_timers(Millis now) {
  // Each firing moves the deadline past `now` within a few steps (a zero backoff delay leads to
  // an attempt whose connect deadline is later); the bound only guards against a bug looping.
  for (int i = 0; i < 16; ++i) {
    const Millis due = poll_timeout();
    if (!(due <= now)) return;
    fire(due, now);
  }
}

void Connection::fire(Millis due, Millis now) {
  const bool late = now - due > config_.timer_slack;
  switch (state_) {
    case State::kConnecting:
      if (late && !grace_used_) {
        // The loop slept through the deadline; the open may be queued behind this timer.
        grace_used_ = true;
        stats_.late_timers++;
        connect_deadline_ = now + config_.connect_timeout;
        return;
      }
      lose_socket(now, kCodeConnectTimeout, CloseCause::kConnectTimeout, false, true, true);
      return;
    case State::kOpen:
      if (!awaiting_pong_) {
        send_ping(now);
        return;
      }
      if (late && !grace_used_) {
        // A late timer is not evidence: ask again. If this probe's deadline is late too and
        // nothing at all arrived meanwhile, the silence stands (socket events are not throttled).
        grace_used_ = true;
        stats_.late_timers++;
        send_ping(now);
        return;
      }
      if (!probing_ && ping_wait_ < config_.pong_timeout &&
          after(ping_sent_at_, config_.pong_timeout) > now) {
        // The learnt deadline passed: the rtt may have jumped (a phone changing cells). One more
        // probe, with twice the wait (RFC 6298's back-off), never past pong_timeout from the
        // first ping; the rtt stays measured from the first, so a late pong widens the estimate.
        probing_ = true;
        stats_.deadline_misses++;
        stats_.pings_sent++;
        emit(make(OutputKind::kSendPing, socket_));
        pong_deadline_ =
            std::min(after(ping_sent_at_, config_.pong_timeout), after(now, 2 * ping_wait_));
        return;
      }
      stats_.dead_links++;
      lose_socket(now, kCodePongTimeout, CloseCause::kPongTimeout, false, true, true);
      return;
    case State::kBackoff:
      // Uncounted: the fresh run of a reconnect(), or the attempt a server's first hint scheduled.
      start_attempt(now, !first_attempt_ && !(hinted_ && hint_free_));
      return;
    case State::kIdle:
    case State::kPaused:
    case State::kGaveUp:
    case State::kClosed:
      return;
  }
}

CommandResult Connection::handle_network(bool online, Millis now) {
  if (!advance(now)) return CommandResult::kInvalidTime;
  online_ = online;
  if (online) {
    resume(now);
  } else {
    pause_or_probe(now);
  }
  return CommandResult::kOk;
}

CommandResult Connection::handle_foreground(bool foreground, Millis now) {
  if (!advance(now)) return CommandResult::kInvalidTime;
  foreground_ = foreground;
  if (foreground) {
    resume(now);
  } else {
    pause_or_probe(now);
  }
  return CommandResult::kOk;
}

void Connection::pause_or_probe(Millis now) {
  if (state_ == State::kBackoff && suspended()) {
    // Stop burning attempts: the pending one waits, uncounted, for the network.
    retry_at_ = kNever;
    set_state(State::kPaused);
  } else if (state_ == State::kOpen && !online_) {
    probe(now);  // going offline usually means this link is dead: find out soon
  } else if (state_ == State::kBackoff && retry_at_ <= now) {
    // An overdue attempt is the timer's to start, not a going-away signal's.
    retry_at_ = after(now, kMinDuration);
  }
  run_timers(now);
}

void Connection::resume(Millis now) {
  switch (state_) {
    case State::kPaused:
      if (!suspended() && hinted_ && hint_at_ > now && hint_at_ < kNever) {
        // The server said when: back online is not a reason to come sooner.
        retry_at_ = hint_at_;
        set_state(State::kBackoff);
        emit_reconnecting(hint_free_ ? 0 : stats_.retries + 1, hint_at_ - now);
      } else if (!suspended()) {
        const bool counted = !first_attempt_ && !(hinted_ && hint_free_);
        if (!first_attempt_) emit_reconnecting(counted ? stats_.retries + 1 : 0, 0);
        start_attempt(now, counted);
      }
      break;
    case State::kBackoff:
      if (retry_at_ > now && !hinted_) {
        // Back online or shown: now, not after the rest of the backoff.
        retry_at_ = now;
        emit_reconnecting(first_attempt_ ? 0 : stats_.retries + 1, 0);
      }
      break;
    case State::kOpen:
      probe(now);
      break;
    case State::kIdle:
    case State::kConnecting:
    case State::kGaveUp:
    case State::kClosed:
      break;
  }
  run_timers(now);
}

void Connection::probe(Millis now) {
  if (std::isfinite(config_.ping_interval) && !awaiting_pong_) send_ping(now);
}

// ---------------------------------------------------------------------------------------------
// Shared steps

void Connection::start_attempt(Millis now, bool counted) {
  if (counted) stats_.retries++;
  attempt_ = counted ? stats_.retries : 0;
  first_attempt_ = false;
  hinted_ = false;
  if (++last_id_ == 0) ++last_id_;  // 0 is never a socket
  socket_ = last_id_;
  stats_.attempts++;
  connect_deadline_ = after(now, config_.connect_timeout);
  grace_used_ = false;
  awaiting_pong_ = false;
  rtt_pending_ = false;
  retry_at_ = kNever;
  // The state first: a statechange listener runs before the socket is created, and a close()
  // there withdraws the open-socket (the socket is then never created).
  set_state(State::kConnecting);
  Output a = make(OutputKind::kOpenSocket, socket_);
  a.attempt = attempt_;
  emit(a);
}

void Connection::emit_reconnecting(std::uint32_t attempt, Millis delay) {
  Output r = make(OutputKind::kReconnecting, 0);
  r.attempt = attempt;
  r.value = delay;
  emit(r);
}

void Connection::send_ping(Millis now) {
  emit(make(OutputKind::kSendPing, socket_));
  stats_.pings_sent++;
  rtt_ambiguous_ = rtt_pending_;  // a ping while one is unanswered: whose pong comes is unknown
  ping_sent_at_ = now;
  awaiting_pong_ = true;
  rtt_pending_ = true;
  probing_ = false;
  ping_wait_ = pong_wait();
  pong_deadline_ = after(now, ping_wait_);
}

bool Connection::withdraw(SocketId socket) {
  bool never_created = false;
  const auto first = outputs_.begin() + static_cast<std::ptrdiff_t>(read_);
  const auto last = std::remove_if(first, outputs_.end(), [&](const Output& o) {
    if (o.socket != socket) return false;
    switch (o.kind) {
      case OutputKind::kOpenSocket:
        never_created = true;
        return true;
      case OutputKind::kSendPing:
      case OutputKind::kSendPong:
      case OutputKind::kFlushQueue:
      case OutputKind::kOpened:  // an `open` after its own `close` would be a lie
      case OutputKind::kHeartbeat:
        return true;
      case OutputKind::kCloseSocket:
      case OutputKind::kClosed:
      case OutputKind::kReconnecting:
      case OutputKind::kGaveUp:
      case OutputKind::kStateChanged:
        return false;
    }
    return false;
  });
  outputs_.erase(last, outputs_.end());
  return never_created;
}

void Connection::withdraw_reconnecting() {
  const auto first = outputs_.begin() + static_cast<std::ptrdiff_t>(read_);
  outputs_.erase(
      std::remove_if(first, outputs_.end(),
                     [](const Output& o) { return o.kind == OutputKind::kReconnecting; }),
      outputs_.end());
}

void Connection::abandon(int code, CloseCause cause, bool was_clean, bool close_it,
                         bool will_reconnect, State next) {
  const SocketId id = socket_;
  const bool known = !withdraw(id);  // the shim created it (its open-socket was polled)
  if (!known) stats_.attempts--;     // withdrawn before it was made: no attempt
  if (known && close_it) {
    Output c = make(OutputKind::kCloseSocket, id);
    c.code = code;
    c.cause = cause;
    emit(c);
  }
  socket_ = 0;
  awaiting_pong_ = false;
  rtt_pending_ = false;
  connect_deadline_ = kNever;
  forget_rtt();
  set_state(next);
  if (known) {
    Output e = make(OutputKind::kClosed, id);
    e.code = code;
    e.cause = cause;
    e.was_clean = was_clean;
    e.will_reconnect = will_reconnect;
    emit(e);
  }
}

void Connection::lose_socket(Millis now, int code, CloseCause cause, bool was_clean, bool close_it,
                             bool reconnect_allowed, const RetryHint* hint) {
  if (state_ == State::kOpen) {
    // A dead link stopped being useful at its last sign of life, not when we noticed.
    const Millis alive_until = cause == CloseCause::kPongTimeout ? last_life_ : now;
    if (alive_until - opened_at_ >= config_.min_uptime) {
      stats_.retries = 0;
      hint_streak_ = 0;
    }
  }
  if (!reconnect_allowed) {
    abandon(code, cause, was_clean, close_it, false, State::kClosed);
    return;
  }
  if (static_cast<double>(stats_.retries) >= config_.max_retries) {
    abandon(code, cause, was_clean, close_it, false, State::kGaveUp);
    Output g = make(OutputKind::kGaveUp, 0);
    g.attempt = stats_.retries;
    emit(g);
    return;
  }
  Millis delay = 0;
  std::uint32_t attempt = stats_.retries + 1;
  if (hint != nullptr) {
    delay = hinted_delay(*hint);
    hinted_ = true;
    hint_at_ = after(now, delay);
    if (hint_free_) attempt = 0;
  }
  if (suspended()) {
    // The next attempt waits, uncounted, for the network (or the foreground); a hinted one, no
    // sooner than the server said.
    retry_at_ = kNever;
    abandon(code, cause, was_clean, close_it, true, State::kPaused);
    return;
  }
  // Never replaced inside the input that lost it, whatever the delay (0 included): the next
  // attempt comes from a handle_timeout at least kMinDuration later, so the shim's event loop
  // runs timers and I/O in between (a zero-delay timer waits about that long on every platform).
  if (hint == nullptr) {
    delay = std::max(kMinDuration, backoff_delay(config_, stats_.retries, next_uniform()));
  }
  retry_at_ = after(now, delay);
  abandon(code, cause, was_clean, close_it, true, State::kBackoff);
  emit_reconnecting(attempt, delay);
}

Millis Connection::hinted_delay(const RetryHint& hint) {
  // The server said when: retry-after + u * window. Never sooner than reconnect_delay (a hint
  // starting sooner is moved there); a window reaching past max_hint_delay is narrowed to end
  // there (a clamp would send every client whose draw went past it at one instant), and a hint
  // starting past it keeps its width, ending there. The first hinted loss after a useful
  // connection spends no retry; more in a row are a server that keeps sending its clients away
  // (or answering 503 forever): they count, and wait at least the ordinary backoff.
  const Millis floor = config_.reconnect_delay;
  const Millis cap = config_.max_hint_delay;
  const Millis start = std::max(hint.retry_after, floor);
  const double u = next_uniform();
  Millis wanted;
  if (start + hint.window <= cap) {
    wanted = start + u * hint.window;
  } else if (start < cap) {
    wanted = start + u * (cap - start);
  } else {
    const Millis span = std::max(0.0, std::min(hint.window, cap - floor));
    wanted = cap - span + u * span;
  }
  wanted = std::max(wanted, floor);
  hint_free_ = hint_streak_ == 0;
  if (hint_streak_ < 64) hint_streak_++;
  if (!hint_free_)
    wanted = std::max(wanted, backoff_delay(config_, stats_.retries, next_uniform()));
  return std::max(kMinDuration, wanted);
}

std::optional<RetryHint> Connection::retry_after_hint(Millis retry_after) const {
  if (!config_.server_hints || !std::isfinite(retry_after) || retry_after < 0) return std::nullopt;
  RetryHint hint;
  hint.retry_after = retry_after;
  hint.window = config_.restart_window;  // Retry-After names no window
  return hint;
}

}  // namespace lifeline
