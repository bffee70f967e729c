// Every transition of the connection lives in this file (h11's rule): the commands, the socket
// inputs and the timers each switch on the state, so every (state, input) pair can be read here.
#include "lifeline/connection.hpp"

#include <algorithm>
#include <cmath>

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
      return awaiting_pong_ ? pong_deadline_ : last_life_ + config_.ping_interval;
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
// Commands

CommandResult Connection::open(Millis now) {
  if (!config_valid_) return CommandResult::kInvalidConfig;
  if (is_live(state_)) return CommandResult::kIgnored;
  stats_.retries = 0;
  first_attempt_ = true;
  if (suspended()) {
    set_state(State::kPaused);
  } else {
    start_attempt(now, false);
  }
  return CommandResult::kOk;
}

CommandResult Connection::close(Millis /*now*/, int code) {
  if (state_ == State::kClosed) return CommandResult::kIgnored;
  const State before = state_;
  const SocketId id = socket_;
  if (id != 0) {
    Output c = make(OutputKind::kCloseSocket, id);
    c.code = code;
    c.cause = CloseCause::kExplicit;
    emit(c);
    socket_ = 0;
  }
  awaiting_pong_ = false;
  retry_at_ = kNever;
  connect_deadline_ = kNever;
  set_state(State::kClosed);
  if (before != State::kIdle) {
    Output e = make(OutputKind::kClosed, id);
    e.code = code;
    e.cause = CloseCause::kExplicit;
    e.was_clean = true;
    e.will_reconnect = false;
    emit(e);
  }
  return CommandResult::kOk;
}

CommandResult Connection::reconnect(Millis now) {
  if (state_ == State::kIdle || state_ == State::kClosed) return CommandResult::kIgnored;
  const SocketId id = socket_;
  if (id != 0) {
    Output c = make(OutputKind::kCloseSocket, id);
    c.code = kCodeReconnect;
    c.cause = CloseCause::kForced;
    emit(c);
    socket_ = 0;
    awaiting_pong_ = false;
    Output e = c;
    e.kind = OutputKind::kClosed;
    e.was_clean = true;
    e.will_reconnect = true;
    emit(e);
  }
  // The app asked: a fresh run, whatever the backoff, the failure count or the network says.
  stats_.retries = 0;
  first_attempt_ = true;
  Output r = make(OutputKind::kReconnecting, 0);
  emit(r);
  start_attempt(now, false);
  return CommandResult::kOk;
}

// ---------------------------------------------------------------------------------------------
// Socket inputs. Each checks the generation first: only the live socket speaks.

void Connection::handle_socket_opened(SocketId socket, Millis now) {
  if (socket == 0 || socket != socket_ || state_ != State::kConnecting) return;
  opened_at_ = now;
  last_life_ = now;
  awaiting_pong_ = false;
  rtt_pending_ = false;
  grace_used_ = false;
  connect_deadline_ = kNever;
  stats_.connects++;
  set_state(State::kOpen);
  emit(make(OutputKind::kFlushQueue, socket));
  Output e = make(OutputKind::kOpened, socket);
  e.attempt = attempt_;
  emit(e);
  run_timers(now);
}

void Connection::note_life(Millis at) {
  if (!(at > last_life_)) return;  // nothing newer than what is known
  last_life_ = at;
  grace_used_ = false;
  if (awaiting_pong_ && at >= ping_sent_at_) awaiting_pong_ = false;
}

void Connection::handle_activity(SocketId socket, Millis at) {
  if (socket == 0 || socket != socket_ || state_ != State::kOpen) return;
  note_life(at);
}

void Connection::handle_pong(SocketId socket, Millis now) {
  if (socket == 0 || socket != socket_ || state_ != State::kOpen) return;
  if (rtt_pending_) {
    rtt_pending_ = false;
    const double rtt = now - ping_sent_at_;
    stats_.pongs_received++;
    stats_.last_rtt = rtt;
    Output e = make(OutputKind::kHeartbeat, socket);
    e.value = rtt;
    emit(e);
  }
  awaiting_pong_ = false;
  grace_used_ = false;
  last_life_ = std::max(last_life_, now);
  run_timers(now);
}

void Connection::handle_server_ping(SocketId socket, Millis now) {
  if (socket == 0 || socket != socket_ || state_ != State::kOpen) return;
  note_life(now);
  if (config_.answer_server_pings) emit(make(OutputKind::kSendPong, socket));
  run_timers(now);
}

void Connection::handle_socket_error(SocketId socket, Millis now) {
  if (socket == 0 || socket != socket_) return;
  // Abandon at once and close it, so that its resources (a mini-program's socket slot) are
  // freed; the close that usually follows an error carries a stale id and is ignored.
  lose_socket(now, kCodeAbnormal, CloseCause::kError, false, true, true);
  run_timers(now);
}

void Connection::handle_socket_closed(SocketId socket, Millis now, int code, bool was_clean,
                                      bool reconnect_allowed) {
  if (socket == 0 || socket != socket_) return;
  lose_socket(now, code, reconnect_allowed ? CloseCause::kRemote : CloseCause::kFinal, was_clean,
              false, reconnect_allowed);
  run_timers(now);
}

// ---------------------------------------------------------------------------------------------
// Time and platform

void Connection::handle_timeout(Millis now) {
  run_timers(now);
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
      stats_.dead_links++;
      lose_socket(now, kCodePongTimeout, CloseCause::kPongTimeout, false, true, true);
      return;
    case State::kBackoff:
      start_attempt(now, true);
      return;
    case State::kIdle:
    case State::kPaused:
    case State::kGaveUp:
    case State::kClosed:
      return;
  }
}

void Connection::handle_network(bool online, Millis now) {
  online_ = online;
  if (online) {
    resume(now);
  } else {
    pause_or_probe(now);
  }
}

void Connection::handle_foreground(bool foreground, Millis now) {
  foreground_ = foreground;
  if (foreground) {
    resume(now);
  } else {
    pause_or_probe(now);
  }
}

void Connection::pause_or_probe(Millis now) {
  if (state_ == State::kBackoff && suspended()) {
    // Stop burning attempts: the pending one waits, uncounted, for the network.
    retry_at_ = kNever;
    set_state(State::kPaused);
  } else if (state_ == State::kOpen && !online_) {
    probe(now);  // going offline usually means this link is dead: find out soon
  }
  run_timers(now);
}

void Connection::resume(Millis now) {
  switch (state_) {
    case State::kPaused:
      if (!suspended()) {
        if (!first_attempt_) {
          Output r = make(OutputKind::kReconnecting, 0);
          r.attempt = stats_.retries + 1;
          emit(r);
        }
        start_attempt(now, !first_attempt_);
      }
      break;
    case State::kBackoff:
      if (retry_at_ > now) {
        // Back online or shown: now, not after the rest of the backoff.
        retry_at_ = now;
        Output r = make(OutputKind::kReconnecting, 0);
        r.attempt = stats_.retries + 1;
        emit(r);
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
  if (++last_id_ == 0) ++last_id_;  // 0 is never a socket
  socket_ = last_id_;
  stats_.attempts++;
  connect_deadline_ = now + config_.connect_timeout;
  grace_used_ = false;
  awaiting_pong_ = false;
  rtt_pending_ = false;
  retry_at_ = kNever;
  Output a = make(OutputKind::kOpenSocket, socket_);
  a.attempt = attempt_;
  emit(a);
  set_state(State::kConnecting);
}

void Connection::send_ping(Millis now) {
  emit(make(OutputKind::kSendPing, socket_));
  stats_.pings_sent++;
  ping_sent_at_ = now;
  awaiting_pong_ = true;
  rtt_pending_ = true;
  pong_deadline_ = now + config_.pong_timeout;
}

void Connection::lose_socket(Millis now, int code, CloseCause cause, bool was_clean, bool close_it,
                             bool reconnect_allowed) {
  const SocketId id = socket_;
  if (state_ == State::kOpen) {
    // A dead link stopped being useful at its last sign of life, not when we noticed.
    const Millis alive_until = cause == CloseCause::kPongTimeout ? last_life_ : now;
    if (alive_until - opened_at_ >= config_.min_uptime) stats_.retries = 0;
  }
  if (close_it) {
    Output c = make(OutputKind::kCloseSocket, id);
    c.code = code;
    c.cause = cause;
    emit(c);
  }
  socket_ = 0;
  awaiting_pong_ = false;
  rtt_pending_ = false;
  connect_deadline_ = kNever;

  Output e = make(OutputKind::kClosed, id);
  e.code = code;
  e.cause = cause;
  e.was_clean = was_clean;
  if (!reconnect_allowed) {
    set_state(State::kClosed);
    emit(e);
    return;
  }
  if (static_cast<double>(stats_.retries) >= config_.max_retries) {
    set_state(State::kGaveUp);
    emit(e);
    Output g = make(OutputKind::kGaveUp, 0);
    g.attempt = stats_.retries;
    emit(g);
    return;
  }
  e.will_reconnect = true;
  if (suspended()) {
    // The next attempt waits, uncounted, for the network (or the foreground).
    retry_at_ = kNever;
    set_state(State::kPaused);
    emit(e);
    return;
  }
  const Millis delay = backoff_delay(config_, stats_.retries, next_uniform());
  retry_at_ = now + delay;
  set_state(State::kBackoff);
  emit(e);
  Output r = make(OutputKind::kReconnecting, 0);
  r.attempt = stats_.retries + 1;
  r.value = delay;
  emit(r);
}

}  // namespace lifeline
