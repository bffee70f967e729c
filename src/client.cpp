#include "lifeline/client.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace lifeline {

static_assert(kCodeProtocolError == kCodeResumeProtocolError, "one close code for both");
static_assert(Client::kMaxControlText >= std::tuple_size_v<ControlBuffer>,
              "every valid control frame fits");

Client::Client(const Config& config, const ResumeConfig& resume) : conn_(config) {
  if (config.resume) {
    ResumeConfig r = resume;
    r.overflow = Overflow::kRefuse;  // a client never drops what it accepted (PROTOCOL.md, Bounds)
    r.max_age = kNever;
    resume_.emplace(r, ResumeRole::kClient);
  }
}

bool Client::config_valid() const {
  return conn_.config_valid() && (!resume_ || resume_->config_valid());
}

CommandResult Client::after(CommandResult result, Millis input_now) {
  // The Client's time is the latest any input carried (the session's inputs do not move the
  // link's clock), never going back.
  const bool accepted = result != CommandResult::kIgnored &&
                        result != CommandResult::kInvalidTime &&
                        result != CommandResult::kInvalidConfig;
  if (accepted && std::isfinite(input_now) && input_now > now_) now_ = input_now;
  if (conn_.now() > now_) now_ = conn_.now();
  if (resume_) {
    // The session's deadlines are the Client's: whatever the input, what they made due happens
    // now, so that poll_timeout() stays later than the time of the latest input.
    const Millis now = now_;
    resume_->handle_timeout(now);
    // A server that never answers new or resume (or answers new with expired for ever) would hold
    // the app's messages on an open socket: connect_timeout bounds the handshake as it bounds the
    // opening, and a miss is the server's protocol error (the socket was never useful).
    // The input comes first (as Connection's do): a late hello still counts.
    if (attached_ != 0 && resume_->phase() == ResumePhase::kHandshake &&
        handshake_deadline() <= now) {
      protocol_error(attached_, now, false);
    }
    sync(now);
    take_outputs();
    if (conn_.state() == State::kClosed) {
      // Final: what the session said and the shim has not carried out is withdrawn (no expired
      // event, no frame on the closing socket); the shim drops what it keeps ('closed'), and the
      // session ends here (a later open() starts a new one).
      pending_.clear();
      pending_read_ = 0;
      if (resume_->phase() != ResumePhase::kNoSession || resume_->next_seq() != 1) {
        const ResumeConfig config = resume_->config();
        resume_.emplace(config, ResumeRole::kClient);
      }
    }
    // The handshake's deadline runs while an open socket waits for hello or resumed.
    const bool waiting = attached_ != 0 && resume_->phase() == ResumePhase::kHandshake;
    if (!waiting) {
      handshake_since_ = kNever;
    } else if (handshake_since_ == kNever) {
      handshake_since_ = now_;
    }
  }
  return result;
}

Millis Client::handshake_deadline() const {
  const Millis limit = conn_.config().connect_timeout;
  if (handshake_since_ == kNever || limit == kNever) return kNever;
  // Strictly later, as Connection's deadlines: on a clock near ±1e308 adding cannot move it.
  const Millis at = handshake_since_ + limit;
  return at > handshake_since_ ? at : std::nextafter(handshake_since_, kNever);
}

void Client::sync(Millis now) {
  const bool open = conn_.state() == State::kOpen;
  const SocketId live = conn_.live_socket();
  if (attached_ != 0 && (!open || live != attached_)) {
    resume_->on_disconnected(now);
    attached_ = 0;
  }
  if (attached_ == 0 && open && live != 0) {
    attached_ = live;
    resume_->on_connected(now);
  }
}

void Client::take_outputs() {
  ResumeOutput o;
  while (resume_->poll(o)) {
    Pending p;
    p.res = o;
    p.socket = attached_;
    if (o.kind == ResumeOutputKind::kSendControl) {
      p.size = resume_->control_frame(o, p.text).size();
    } else if (o.kind == ResumeOutputKind::kExpired) {
      ++expiries_;
    }
    if (pending_read_ == pending_.size()) {
      pending_.clear();
      pending_read_ = 0;
    }
    pending_.push_back(p);
  }
}

void Client::protocol_error(SocketId socket, Millis now, bool useful) {
  if (conn_.handle_protocol_error(socket, now, useful) == CommandResult::kOk) ++protocol_errors_;
}

CommandResult Client::open(Millis now) {
  // As Connection refuses its own invalid config: with no session to speak for it, the link would
  // write pings before any handshake (and nothing could be sent).
  if (std::isfinite(now) && resume_ && !resume_->config_valid()) {
    return CommandResult::kInvalidConfig;
  }
  return after(conn_.open(now), now);
}
CommandResult Client::close(Millis now, int code) {
  return after(conn_.close(now, code), now);
}
CommandResult Client::reconnect(Millis now) {
  return after(conn_.reconnect(now), now);
}
CommandResult Client::handle_socket_opened(SocketId socket, Millis now) {
  return after(conn_.handle_socket_opened(socket, now), now);
}
CommandResult Client::handle_activity(SocketId socket, Millis at) {
  return after(conn_.handle_activity(socket, at), at);
}
CommandResult Client::handle_pong(SocketId socket, Millis now) {
  return after(conn_.handle_pong(socket, now), now);
}
CommandResult Client::handle_server_ping(SocketId socket, Millis now) {
  return after(conn_.handle_server_ping(socket, now), now);
}
CommandResult Client::handle_socket_error(SocketId socket, Millis now, Millis retry_after) {
  return after(conn_.handle_socket_error(socket, now, retry_after), now);
}
CommandResult Client::handle_attempt_failed(SocketId socket, Millis now, Millis retry_after) {
  return after(conn_.handle_attempt_failed(socket, now, retry_after), now);
}
CommandResult Client::handle_socket_closed(SocketId socket, Millis now, int code, bool was_clean,
                                           bool reconnect_allowed, std::string_view reason) {
  return after(conn_.handle_socket_closed(socket, now, code, was_clean, reconnect_allowed, reason),
               now);
}
CommandResult Client::handle_timeout(Millis now) {
  return after(conn_.handle_timeout(now), now);  // the session's deadlines run in after()
}
CommandResult Client::handle_network(bool online, Millis now) {
  return after(conn_.handle_network(online, now), now);
}
CommandResult Client::handle_foreground(bool foreground, Millis now) {
  return after(conn_.handle_foreground(foreground, now), now);
}

Sent Client::send(std::uint64_t bytes, Millis now) {
  if (!resume_ || conn_.state() == State::kClosed) return Sent{};  // final: nothing more is kept
  const Sent sent = resume_->on_send(bytes, now);
  // An accepted message is an input like any other; a refused one changes nothing but what the
  // session's own timers made due (ResumeState::on_send).
  if (sent.outcome == SendOutcome::kWrite || sent.outcome == SendOutcome::kHold) {
    after(CommandResult::kOk, now);
  } else {
    take_outputs();
  }
  return sent;
}

CommandResult Client::handle_message(SocketId socket, std::uint64_t bytes, Millis now) {
  if (!std::isfinite(now)) return CommandResult::kInvalidTime;
  if (socket == 0 || socket != conn_.live_socket() || conn_.state() != State::kOpen) {
    return CommandResult::kIgnored;
  }
  const CommandResult life = conn_.handle_activity(socket, now);
  if (!resume_) return life;
  const Received r = resume_->on_receive(bytes, now);
  if (r.result == CommandResult::kInvalidArgument) protocol_error(socket, now);
  after(r.result, now);
  return r.result == CommandResult::kOk ? CommandResult::kOk : CommandResult::kIgnored;
}

CommandResult Client::handle_control_text(SocketId socket, std::string_view text,
                                          std::uint64_t bytes, Millis now) {
  if (!std::isfinite(now)) return CommandResult::kInvalidTime;
  if (!resume_) return handle_message(socket, bytes, now);
  if (socket == 0 || socket != conn_.live_socket() || conn_.state() != State::kOpen) {
    return CommandResult::kIgnored;
  }
  Control c;
  switch (classify_text(text.substr(0, kMaxControlText), c)) {
    case TextFrame::kApp:  // not a control frame after all
      return handle_message(socket, bytes, now);
    case TextFrame::kEscaped:
      return handle_message(socket, bytes - std::min<std::uint64_t>(bytes, kEscapePrefix.size()),
                            now);
    case TextFrame::kUnknown:  // a later version's frame: ignored, but it proves life
      after(conn_.handle_activity(socket, now), now);
      return CommandResult::kIgnored;
    case TextFrame::kMalformed:
      conn_.handle_activity(socket, now);
      protocol_error(socket, now);
      return after(CommandResult::kInvalidArgument, now);
    case TextFrame::kControl:
      break;
  }
  return after(dispatch(socket, c, now), now);
}

CommandResult Client::dispatch(SocketId socket, const Control& c, Millis now) {
  // A pong answers the heartbeat's ping; every other frame is life.
  if (c.kind == ControlKind::kPong) {
    conn_.handle_pong(socket, now);
  } else {
    conn_.handle_activity(socket, now);
  }
  const CommandResult r = resume_->on_control(c, now);
  if (r == CommandResult::kInvalidArgument) {
    protocol_error(socket, now);
    return r;
  }
  if (c.kind == ControlKind::kResumed && r == CommandResult::kOk &&
      resume_->phase() == ResumePhase::kAttached) {
    ++resumes_;
  }
  return CommandResult::kIgnored;  // nothing to deliver
}

CommandResult Client::expire(Millis now) {
  if (!resume_) return CommandResult::kIgnored;
  return after(resume_->expire(now), now);
}

Millis Client::poll_timeout() const {
  const Millis t = conn_.poll_timeout();
  return resume_ ? std::min({t, resume_->poll_timeout(), handshake_deadline()}) : t;
}

std::size_t Client::pending_outputs() const {
  return pending_.size() - pending_read_ + conn_.pending_outputs();
}

bool Client::poll(ClientOutput& out) {
  out = ClientOutput{};
  if (pending_read_ < pending_.size()) {
    const Pending& p = pending_[pending_read_++];
    out.resume = true;
    out.res = p.res;
    out.socket = p.socket;
    std::copy_n(p.text.begin(), p.size, frame_.begin());
    out.frame = {frame_.data(), p.size};
    return true;
  }
  Output o;
  while (conn_.poll(o)) {
    // Messages wait in the session, numbered; its kResend writes them after the handshake. And the
    // session answers the protocol's pings: an app-level pong would be counted as a message.
    if (resume_ && (o.kind == OutputKind::kFlushQueue || o.kind == OutputKind::kSendPong)) continue;
    out.conn = o;
    if (resume_ && o.kind == OutputKind::kSendPing) {
      const Control c = resume_->heartbeat(ControlKind::kPing, conn_.now());
      out.frame = format_control(c, frame_);
      take_outputs();
    }
    return true;
  }
  return false;
}

ClientStats Client::resume_stats() const {
  ClientStats s;
  if (resume_) {
    s.unacked = resume_->unacked();
    s.unacked_bytes = resume_->unacked_bytes();
  }
  s.resumes = resumes_;
  s.expiries = expiries_;
  s.protocol_errors = protocol_errors_;
  return s;
}

const char* to_string(SendOutcome outcome) {
  switch (outcome) {
    case SendOutcome::kWrite:
      return "write";
    case SendOutcome::kHold:
      return "hold";
    case SendOutcome::kFull:
      return "full";
    case SendOutcome::kInvalid:
      return "invalid";
  }
  return "?";
}

}  // namespace lifeline
