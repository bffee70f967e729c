#include "lifeline/resume.hpp"

#include <algorithm>
#include <cmath>

namespace lifeline {

namespace {

constexpr std::string_view kVerbs[kControlKindCount] = {"new",     "resume", "hello", "resumed",
                                                        "expired", "ack",    "ping",  "pong"};
constexpr std::size_t kMaxDigits = 16;  // kMaxSeq has 16

bool parse_number(std::string_view s, std::uint64_t& out) {
  if (s.empty() || s.size() > kMaxDigits || (s.size() > 1 && s[0] == '0')) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v > kMaxSeq) return false;
  out = v;
  return true;
}

// Splits "a b" at its first space; false if there is none.
bool split(std::string_view s, std::string_view& head, std::string_view& tail) {
  const std::size_t space = s.find(' ');
  if (space == std::string_view::npos) return false;
  head = s.substr(0, space);
  tail = s.substr(space + 1);
  return true;
}

struct Writer {
  ControlBuffer& buf;
  std::size_t size = 0;
  void put(std::string_view s) {
    for (char c : s)
      buf[size++] = c;
  }
  void number(std::uint64_t v) {
    char digits[kMaxDigits + 4];
    std::size_t n = 0;
    do {
      digits[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    while (n > 0)
      buf[size++] = digits[--n];
  }
};

Millis plus(Millis at, Millis d) {
  return d >= kNever ? kNever : at + d;
}

}  // namespace

bool valid_session_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxSessionId) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

TextFrame classify_text(std::string_view text, Control& out) {
  if (text.substr(0, kControlPrefix.size()) != kControlPrefix) return TextFrame::kApp;
  if (text.substr(0, kEscapePrefix.size()) == kEscapePrefix) return TextFrame::kEscaped;
  const std::string_view rest = text.substr(kControlPrefix.size());
  std::string_view verb = rest, args;
  const bool has_args = split(rest, verb, args);
  int index = -1;
  for (int i = 0; i < kControlKindCount; ++i) {
    if (kVerbs[i] == verb) index = i;
  }
  if (index < 0) return verb == "esc" ? TextFrame::kMalformed : TextFrame::kUnknown;
  Control c;
  c.kind = static_cast<ControlKind>(index);
  switch (c.kind) {
    case ControlKind::kNew:
    case ControlKind::kExpired:
      if (has_args) return TextFrame::kMalformed;
      break;
    case ControlKind::kHello:
    case ControlKind::kResume: {
      std::string_view id, number;
      if (!has_args || !split(args, id, number) || !valid_session_id(id)) {
        return TextFrame::kMalformed;
      }
      std::uint64_t v = 0;
      if (!parse_number(number, v)) return TextFrame::kMalformed;
      c.session = id;
      (c.kind == ControlKind::kHello ? c.window : c.seq) = v;
      break;
    }
    case ControlKind::kResumed:
    case ControlKind::kAck:
    case ControlKind::kPing:
    case ControlKind::kPong:
      if (!has_args || !parse_number(args, c.seq)) return TextFrame::kMalformed;
      break;
  }
  out = c;
  return TextFrame::kControl;
}

std::string_view format_control(const Control& c, ControlBuffer& buf) {
  const auto index = static_cast<std::size_t>(c.kind);
  if (index >= static_cast<std::size_t>(kControlKindCount)) return {};
  Writer w{buf};
  switch (c.kind) {
    case ControlKind::kNew:
    case ControlKind::kExpired:
      w.put(kControlPrefix);
      w.put(kVerbs[index]);
      break;
    case ControlKind::kHello:
    case ControlKind::kResume: {
      const std::uint64_t v = c.kind == ControlKind::kHello ? c.window : c.seq;
      if (!valid_session_id(c.session) || v > kMaxSeq) return {};
      w.put(kControlPrefix);
      w.put(kVerbs[index]);
      w.put(" ");
      w.put(c.session);
      w.put(" ");
      w.number(v);
      break;
    }
    case ControlKind::kResumed:
    case ControlKind::kAck:
    case ControlKind::kPing:
    case ControlKind::kPong:
      if (c.seq > kMaxSeq) return {};
      w.put(kControlPrefix);
      w.put(kVerbs[index]);
      w.put(" ");
      w.number(c.seq);
      break;
  }
  return {buf.data(), w.size};
}

ResumeConfig ResumeConfig::server() {
  ResumeConfig c;
  c.overflow = Overflow::kDropOldest;
  c.max_age = 5 * 60 * 1000;
  return c;
}

bool validate(const ResumeConfig& c) {
  auto duration = [](Millis d) { return !std::isnan(d) && d >= 0; };
  return c.max_unacked >= 1 && c.max_unacked <= kMaxUnackedLimit && c.max_unacked_bytes >= 1 &&
         (c.overflow == Overflow::kRefuse || c.overflow == Overflow::kDropOldest) &&
         !std::isnan(c.max_age) && c.max_age > 0 && duration(c.ack_delay) && c.ack_every >= 1 &&
         c.ack_every <= kMaxAckEvery && c.ack_bytes >= 1 && c.ack_bytes <= kMaxAckBytes &&
         duration(c.session_window) && std::isfinite(c.session_window) &&
         c.session_window <= static_cast<double>(kMaxSeq);
}

ResumeState::ResumeState(const ResumeConfig& config, ResumeRole role)
    : config_(config),
      config_valid_(validate(config)),
      role_(role),
      phase_(ResumePhase::kNoSession) {
  // The ring starts small and doubles up to max_unacked as messages wait (grow()): a server holds
  // one per session, most of which keep a few messages, and a client's bound may be 2^20.
  ring_.resize(config_valid_ ? std::min<std::size_t>(config_.max_unacked, kInitialRing) : 1);
  outputs_.reserve(16);
}

bool ResumeState::advance(Millis& now) {
  if (!std::isfinite(now)) return false;
  if (now < now_) {
    now = now_;  // backwards: no time passes
  } else {
    now_ = now;
  }
  return true;
}

void ResumeState::emit(const ResumeOutput& out) {
  if (read_ == outputs_.size()) {
    outputs_.clear();
    read_ = 0;
  }
  outputs_.push_back(out);
}

void ResumeState::emit_control(ControlKind kind, Seq seq) {
  ResumeOutput out;
  out.kind = ResumeOutputKind::kSendControl;
  out.control = kind;
  out.from = seq;
  emit(out);
}

bool ResumeState::poll(ResumeOutput& out) {
  if (read_ >= outputs_.size()) return false;
  out = outputs_[read_++];
  if (read_ == outputs_.size()) {
    outputs_.clear();
    read_ = 0;
  }
  return true;
}

std::string_view ResumeState::control_frame(const ResumeOutput& out, ControlBuffer& buf) const {
  if (out.kind != ResumeOutputKind::kSendControl) return {};
  Control c;
  c.kind = out.control;
  c.seq = out.from;
  c.session = session();
  c.window = window_;
  return format_control(c, buf);
}

void ResumeState::grow() {
  std::vector<Entry> bigger(std::min<std::size_t>(ring_.size() * 2, config_.max_unacked));
  for (std::size_t i = 0; i < unacked(); ++i)
    bigger[i] = ring_[(head_ + i) % ring_.size()];
  ring_.swap(bigger);
  head_ = 0;
}

void ResumeState::pop_front() {
  bytes_ -= ring_[head_].bytes;
  head_ = (head_ + 1) % ring_.size();
  ++first_;
}

void ResumeState::release_to(Seq seq) {
  if (seq > acked_) acked_ = seq;
  const Seq to = seq < next_ ? seq : next_ - 1;
  if (first_ > to) return;
  emit({ResumeOutputKind::kRelease, ControlKind::kAck, first_, to, ExpiryCause::kPeer});
  while (first_ <= to)
    pop_front();
}

void ResumeState::drop_front(Seq to) {
  if (first_ > to) return;
  emit({ResumeOutputKind::kDrop, ControlKind::kAck, first_, to, ExpiryCause::kPeer});
  while (first_ <= to)
    pop_front();
}

void ResumeState::note_told(Seq seq) {
  told_ = seq;
  untold_count_ = 0;
  untold_bytes_ = 0;
}

void ResumeState::resend_all() {
  if (first_ < next_) {
    emit({ResumeOutputKind::kResend, ControlKind::kAck, first_, next_ - 1, ExpiryCause::kPeer});
  }
  written_ = next_ - 1;
}

void ResumeState::attach(Millis now) {
  phase_ = ResumePhase::kAttached;
  // What arrived before the handshake was told in it; the ack clock starts again.
  untold_since_ = now;
  resend_all();
}

void ResumeState::end_session(ExpiryCause cause) {
  drop_front(next_ - 1);
  ResumeOutput out;
  out.kind = ResumeOutputKind::kExpired;
  out.cause = cause;
  emit(out);
  if (role_ == ResumeRole::kServer) {
    phase_ = ResumePhase::kEnded;
    return;
  }
  // The client starts over: the next session numbers from 1 again.
  session_size_ = 0;
  window_ = 0;
  head_ = 0;
  first_ = next_ = 1;
  written_ = acked_ = 0;
  bytes_ = 0;
  received_ = told_ = 0;
  untold_count_ = 0;
  untold_bytes_ = 0;
  awaiting_hello_ = true;
  phase_ = ResumePhase::kNoSession;
}

void ResumeState::start_over() {
  // Still connected: ask for a new session on this connection.
  emit_control(ControlKind::kNew);
  awaiting_hello_ = true;
  after_expiry_ = true;
  phase_ = ResumePhase::kHandshake;
}

bool ResumeState::connected() const {
  // A server's ended session may still be on the connection that said or heard "expired".
  return phase_ == ResumePhase::kHandshake || phase_ == ResumePhase::kAttached ||
         phase_ == ResumePhase::kEnded;
}

CommandResult ResumeState::unattached_frame() const {
  // A client that asked for a session (new, or resume) must hear its answer before anything of
  // the session: the server broke the protocol. After an expiry on this connection the old
  // session's frames may still arrive (they were sent before the peer heard of it): ignored.
  // With no connection, the frame came on one given up: nothing from it counts.
  if (role_ == ResumeRole::kClient && phase_ == ResumePhase::kHandshake && !after_expiry_) {
    return CommandResult::kInvalidArgument;
  }
  return CommandResult::kIgnored;
}

bool ResumeState::ack_due(Millis now) const {
  return phase_ == ResumePhase::kAttached && untold_count_ > 0 &&
         plus(untold_since_, config_.ack_delay) <= now;
}

void ResumeState::run_timers(Millis now) {
  if (ack_due(now)) {
    emit_control(ControlKind::kAck, received_);
    note_told(received_);
  }
  if (config_.overflow == Overflow::kDropOldest && config_.max_age < kNever) {
    Seq to = first_ - 1;
    for (Seq s = first_; s < next_; ++s) {
      const Entry& e = ring_[(head_ + (s - first_)) % ring_.size()];
      if (plus(e.at, config_.max_age) > now) break;
      to = s;
    }
    drop_front(to);
  }
  if (role_ == ResumeRole::kServer && phase_ == ResumePhase::kDetached &&
      plus(detached_at_, config_.session_window) <= now) {
    end_session(ExpiryCause::kWindow);
  }
}

Millis ResumeState::poll_timeout() const {
  if (!config_valid_) return kNever;
  Millis t = kNever;
  auto consider = [&t](Millis at) {
    if (at < t) t = at;
  };
  if (phase_ == ResumePhase::kAttached && untold_count_ > 0) {
    consider(plus(untold_since_, config_.ack_delay));
  }
  if (config_.overflow == Overflow::kDropOldest && first_ < next_ &&
      phase_ != ResumePhase::kEnded) {
    consider(plus(ring_[head_].at, config_.max_age));
  }
  if (role_ == ResumeRole::kServer && phase_ == ResumePhase::kDetached) {
    consider(plus(detached_at_, config_.session_window));
  }
  return t;
}

CommandResult ResumeState::handle_timeout(Millis now) {
  if (!config_valid_) return CommandResult::kInvalidConfig;
  if (!advance(now)) return CommandResult::kInvalidTime;
  run_timers(now);
  return CommandResult::kOk;
}

Sent ResumeState::on_send(std::uint64_t bytes, Millis now) {
  Sent sent;
  if (!config_valid_ || !advance(now) || phase_ == ResumePhase::kEnded || next_ > kMaxSeq) {
    return sent;  // kInvalid
  }
  run_timers(now);
  if (phase_ == ResumePhase::kEnded) {  // the window ended just now
    sent.poll = pending_outputs() > 0;
    return sent;
  }
  const std::size_t cap = config_.max_unacked;
  if (bytes > config_.max_unacked_bytes ||
      (config_.overflow == Overflow::kRefuse &&
       (unacked() + 1 > cap || bytes > config_.max_unacked_bytes - bytes_))) {
    sent.outcome = SendOutcome::kFull;
    sent.poll = pending_outputs() > 0;
    return sent;
  }
  // kDropOldest: make room.
  Seq to = first_ - 1;
  // Subtractions, not sums: a byte bound near 2^64 must not wrap (bytes_ never exceeds it).
  std::uint64_t kept_bytes = bytes_;
  std::size_t count = unacked();
  while (count + 1 > cap || bytes > config_.max_unacked_bytes - kept_bytes) {
    ++to;
    kept_bytes -= ring_[(head_ + (to - first_)) % ring_.size()].bytes;
    --count;
  }
  drop_front(to);
  if (unacked() == ring_.size()) grow();
  ring_[(head_ + unacked()) % ring_.size()] = Entry{bytes, now};
  bytes_ += bytes;
  sent.seq = next_++;
  if (phase_ == ResumePhase::kAttached) {
    written_ = sent.seq;
    sent.outcome = SendOutcome::kWrite;
  } else {
    sent.outcome = SendOutcome::kHold;
  }
  sent.poll = pending_outputs() > 0;
  return sent;
}

Received ResumeState::on_receive(std::uint64_t bytes, Millis now) {
  Received r;
  if (!config_valid_) {
    r.result = CommandResult::kInvalidConfig;
    return r;
  }
  if (!std::isfinite(now)) {
    r.result = CommandResult::kInvalidTime;
    return r;
  }
  if (phase_ != ResumePhase::kAttached) {
    r.result = unattached_frame();
    return r;
  }
  if (received_ >= kMaxSeq) {  // the peer numbered past what JavaScript carries exactly
    r.result = CommandResult::kInvalidArgument;
    return r;
  }
  advance(now);
  run_timers(now);
  r.seq = ++received_;
  if (untold_count_ == 0) untold_since_ = now;
  ++untold_count_;
  untold_bytes_ = untold_bytes_ + bytes < untold_bytes_ ? ~std::uint64_t{0} : untold_bytes_ + bytes;
  if (untold_count_ >= config_.ack_every || untold_bytes_ >= config_.ack_bytes || ack_due(now)) {
    emit_control(ControlKind::kAck, received_);
    note_told(received_);
  }
  r.result = CommandResult::kOk;
  r.poll = pending_outputs() > 0;
  return r;
}

CommandResult ResumeState::on_connected(Millis now) {
  if (!config_valid_) return CommandResult::kInvalidConfig;
  if (!std::isfinite(now)) return CommandResult::kInvalidTime;
  if (role_ != ResumeRole::kClient) return CommandResult::kInvalidArgument;
  if (phase_ != ResumePhase::kNoSession && phase_ != ResumePhase::kDetached) {
    return CommandResult::kIgnored;  // already connected: on_disconnected first
  }
  advance(now);
  run_timers(now);
  after_expiry_ = false;
  if (phase_ == ResumePhase::kNoSession) {
    awaiting_hello_ = true;
    emit_control(ControlKind::kNew);
  } else {
    awaiting_hello_ = false;
    emit_control(ControlKind::kResume, received_);
    note_told(received_);
  }
  phase_ = ResumePhase::kHandshake;
  return CommandResult::kOk;
}

CommandResult ResumeState::on_disconnected(Millis now) {
  if (!config_valid_) return CommandResult::kInvalidConfig;
  if (!std::isfinite(now)) return CommandResult::kInvalidTime;
  if (phase_ != ResumePhase::kHandshake && phase_ != ResumePhase::kAttached) {
    return CommandResult::kIgnored;
  }
  advance(now);
  run_timers(now);
  after_expiry_ = false;
  if (phase_ == ResumePhase::kHandshake && awaiting_hello_) {
    phase_ = ResumePhase::kNoSession;
  } else {
    phase_ = ResumePhase::kDetached;
    detached_at_ = now;
    run_timers(now);  // a session_window of 0 ends here
  }
  return CommandResult::kOk;
}

CommandResult ResumeState::on_new(std::string_view session, Millis now) {
  if (!config_valid_) return CommandResult::kInvalidConfig;
  if (!std::isfinite(now)) return CommandResult::kInvalidTime;
  if (role_ != ResumeRole::kServer || phase_ != ResumePhase::kNoSession ||
      !valid_session_id(session)) {
    return CommandResult::kInvalidArgument;
  }
  advance(now);
  run_timers(now);
  for (std::size_t i = 0; i < session.size(); ++i)
    session_[i] = session[i];
  session_size_ = session.size();
  window_ = static_cast<std::uint64_t>(std::ceil(config_.session_window));
  emit_control(ControlKind::kHello);
  attach(now);
  return CommandResult::kOk;
}

CommandResult ResumeState::on_control(const Control& c, Millis now) {
  if (!config_valid_) return CommandResult::kInvalidConfig;
  if (!std::isfinite(now)) return CommandResult::kInvalidTime;
  switch (c.kind) {
    case ControlKind::kNew:
      return on_new_frame();
    case ControlKind::kResume:
      return on_resume(c.seq, now);
    case ControlKind::kHello:
      return on_hello(c.session, c.window, now);
    case ControlKind::kResumed:
      return on_resumed(c.seq, now);
    case ControlKind::kExpired:
      return on_expired(now);
    case ControlKind::kPing:
      return on_ping(c.seq, now);
    case ControlKind::kAck:
    case ControlKind::kPong:
      return on_ack(c.seq, now);
  }
  return CommandResult::kInvalidArgument;
}

CommandResult ResumeState::on_hello(std::string_view session, std::uint64_t window, Millis now) {
  if (!config_valid_) return CommandResult::kInvalidConfig;
  if (!std::isfinite(now)) return CommandResult::kInvalidTime;
  if (role_ != ResumeRole::kClient) return CommandResult::kInvalidArgument;  // sent to a server
  if (phase_ == ResumePhase::kNoSession || phase_ == ResumePhase::kDetached) {
    return CommandResult::kIgnored;  // from a connection given up
  }
  // Only the answer to "new": not after "resume", not in a session.
  if (phase_ != ResumePhase::kHandshake || !awaiting_hello_ || !valid_session_id(session) ||
      window > kMaxSeq) {
    return CommandResult::kInvalidArgument;
  }
  advance(now);
  run_timers(now);
  after_expiry_ = false;
  for (std::size_t i = 0; i < session.size(); ++i)
    session_[i] = session[i];
  session_size_ = session.size();
  window_ = window;
  awaiting_hello_ = false;
  emit({ResumeOutputKind::kSession, ControlKind::kHello, 0, 0, ExpiryCause::kPeer});
  attach(now);  // what was held since the first send goes now, from seq 1
  return CommandResult::kOk;
}

CommandResult ResumeState::on_resumed(Seq peer_last_received, Millis now) {
  if (!config_valid_) return CommandResult::kInvalidConfig;
  if (!std::isfinite(now)) return CommandResult::kInvalidTime;
  if (role_ != ResumeRole::kClient) return CommandResult::kInvalidArgument;  // sent to a server
  if (phase_ == ResumePhase::kNoSession || phase_ == ResumePhase::kDetached) {
    return CommandResult::kIgnored;  // from a connection given up
  }
  if (phase_ == ResumePhase::kHandshake && after_expiry_) {
    return CommandResult::kIgnored;  // the answer to a resume this side has since expired
  }
  // Only the answer to "resume", and never beyond what this side wrote.
  if (phase_ != ResumePhase::kHandshake || awaiting_hello_ || peer_last_received > written_) {
    return CommandResult::kInvalidArgument;
  }
  advance(now);
  run_timers(now);
  if (peer_last_received + 1 < first_) {
    // The server lost what it had acknowledged: the gap cannot be filled from here.
    emit_control(ControlKind::kExpired);
    end_session(ExpiryCause::kGap);
    start_over();
    return CommandResult::kOk;
  }
  release_to(peer_last_received);
  attach(now);
  return CommandResult::kOk;
}

CommandResult ResumeState::on_resume(Seq peer_last_received, Millis now) {
  if (!config_valid_) return CommandResult::kInvalidConfig;
  if (!std::isfinite(now)) return CommandResult::kInvalidTime;
  // Sent to a client; or a server state that never had a session (the table's on_new makes one).
  if (role_ != ResumeRole::kServer || phase_ == ResumePhase::kNoSession) {
    return CommandResult::kInvalidArgument;
  }
  advance(now);
  run_timers(now);
  if (phase_ == ResumePhase::kEnded) {  // over (perhaps its window ended just now): too late
    emit_control(ControlKind::kExpired);
    return CommandResult::kOk;
  }
  // F = first_: the oldest kept seq, or next_ when nothing is kept. A client that claims more
  // than was written cannot be told what it lacks either: both end the session.
  if (peer_last_received > written_ || peer_last_received + 1 < first_) {
    emit_control(ControlKind::kExpired);
    end_session(ExpiryCause::kGap);
    return CommandResult::kOk;
  }
  release_to(peer_last_received);
  emit_control(ControlKind::kResumed, received_);
  note_told(received_);
  attach(now);
  return CommandResult::kOk;
}

CommandResult ResumeState::on_expired(Millis now) {
  if (!config_valid_) return CommandResult::kInvalidConfig;
  if (!std::isfinite(now)) return CommandResult::kInvalidTime;
  if (phase_ == ResumePhase::kHandshake && awaiting_hello_) {
    // After this side's own expiry: the peer's "expired" for the same session, crossed on the
    // wire. Otherwise the answer to a fresh "new", which a server must answer with hello.
    return after_expiry_ ? CommandResult::kIgnored : CommandResult::kInvalidArgument;
  }
  if (phase_ != ResumePhase::kHandshake && phase_ != ResumePhase::kAttached) {
    return CommandResult::kIgnored;  // no session on this connection, or it ended already
  }
  advance(now);
  run_timers(now);
  end_session(ExpiryCause::kPeer);
  if (role_ == ResumeRole::kClient) start_over();
  return CommandResult::kOk;
}

CommandResult ResumeState::expire(Millis now) {
  if (!config_valid_) return CommandResult::kInvalidConfig;
  if (!std::isfinite(now)) return CommandResult::kInvalidTime;
  if (phase_ == ResumePhase::kEnded || (role_ == ResumeRole::kClient && session_size_ == 0)) {
    return CommandResult::kIgnored;
  }
  advance(now);
  run_timers(now);
  if (phase_ == ResumePhase::kEnded) return CommandResult::kOk;
  const bool on_line = phase_ == ResumePhase::kHandshake || phase_ == ResumePhase::kAttached;
  if (on_line) emit_control(ControlKind::kExpired);
  end_session(ExpiryCause::kExplicit);
  if (role_ == ResumeRole::kClient && on_line) start_over();
  return CommandResult::kOk;
}

CommandResult ResumeState::on_ack(Seq peer_last_received, Millis now) {
  if (!config_valid_) return CommandResult::kInvalidConfig;
  if (!std::isfinite(now)) return CommandResult::kInvalidTime;
  // Numbers count only on the attached connection: elsewhere they are not even checked (they may
  // be the old session's, after an expiry).
  if (phase_ != ResumePhase::kAttached) return CommandResult::kIgnored;
  if (peer_last_received > written_) return CommandResult::kInvalidArgument;
  if (peer_last_received <= acked_) return CommandResult::kIgnored;
  advance(now);
  run_timers(now);
  release_to(peer_last_received);
  return CommandResult::kOk;
}

CommandResult ResumeState::on_ping(Seq peer_last_received, Millis now) {
  if (!config_valid_) return CommandResult::kInvalidConfig;
  if (!std::isfinite(now)) return CommandResult::kInvalidTime;
  if (!connected()) return CommandResult::kIgnored;  // no connection to answer on
  const bool attached = phase_ == ResumePhase::kAttached;
  if (attached && peer_last_received > written_) return CommandResult::kInvalidArgument;
  advance(now);
  // Answered promptly: the pong carries this side's ack (and is the ack told) while attached;
  // elsewhere its number means nothing, and 0 says so.
  emit_control(ControlKind::kPong, attached ? received_ : 0);
  if (attached) note_told(received_);
  run_timers(now);
  if (attached && peer_last_received > acked_) release_to(peer_last_received);
  return CommandResult::kOk;
}

CommandResult ResumeState::on_new_frame() const {
  if (!config_valid_) return CommandResult::kInvalidConfig;
  // "new" to a client, or on a connection in a session that no one said "expired" on.
  if (role_ == ResumeRole::kClient || phase_ == ResumePhase::kAttached) {
    return CommandResult::kInvalidArgument;
  }
  return CommandResult::kIgnored;  // the server's session table answers it with a new state
}

Control ResumeState::heartbeat(ControlKind kind, Millis now) {
  Control c;
  c.kind = kind == ControlKind::kPong ? ControlKind::kPong : ControlKind::kPing;
  c.seq = received_;
  if (config_valid_ && std::isfinite(now) && phase_ == ResumePhase::kAttached) {
    advance(now);
    note_told(received_);
    run_timers(now);
  }
  return c;
}

const char* to_string(ControlKind kind) {
  const auto i = static_cast<std::size_t>(kind);
  return i < static_cast<std::size_t>(kControlKindCount) ? kVerbs[i].data() : "?";
}

const char* to_string(ResumePhase phase) {
  switch (phase) {
    case ResumePhase::kNoSession:
      return "no-session";
    case ResumePhase::kHandshake:
      return "handshake";
    case ResumePhase::kAttached:
      return "attached";
    case ResumePhase::kDetached:
      return "detached";
    case ResumePhase::kEnded:
      return "ended";
  }
  return "?";
}

const char* to_string(ResumeOutputKind kind) {
  switch (kind) {
    case ResumeOutputKind::kSendControl:
      return "send-control";
    case ResumeOutputKind::kResend:
      return "resend";
    case ResumeOutputKind::kRelease:
      return "release";
    case ResumeOutputKind::kDrop:
      return "drop";
    case ResumeOutputKind::kExpired:
      return "expired";
    case ResumeOutputKind::kSession:
      return "session";
  }
  return "?";
}

const char* to_string(ExpiryCause cause) {
  switch (cause) {
    case ExpiryCause::kPeer:
      return "peer";
    case ExpiryCause::kGap:
      return "gap";
    case ExpiryCause::kWindow:
      return "window";
    case ExpiryCause::kExplicit:
      return "explicit";
  }
  return "?";
}

}  // namespace lifeline
