// A client connection with lossless resume: Connection (the link's life: heartbeat, verdicts,
// reconnects) and, when Config::resume is on, ResumeState (the session's numbering: what to
// resend, when to acknowledge, PROTOCOL.md) wired together, so that a shim drives one state
// machine and carries out one stream of outputs. The wiring is here, not in a shim:
//   - a socket that opens starts the handshake (`new` or `resume`) before anything else is
//     written on it; a socket that goes away detaches the session;
//   - with resume on, the heartbeat is the protocol's `ping <n>` (an ack for free), its answer is
//     `pong <n>`, and a peer's `ping` is answered by the session;
//   - a malformed control frame or a message out of place closes the socket with 4010
//     (kCodeProtocolError) and it is lost like an errored one;
//   - messages sent while not attached wait in the session (numbered), not in a queue: Connection's
//     flush-queue is not passed on, nor its send-pong (the session answers the protocol's pings);
//   - an open socket whose handshake is not answered within connect_timeout is the server's
//     protocol error;
//   - after the final close, resume outputs not yet polled are withdrawn and the session ends;
//   - the session's deadlines run with every input, as Connection's do.
// Resume off, it is Connection exactly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "lifeline/connection.hpp"
#include "lifeline/resume.hpp"

namespace lifeline {

inline constexpr int kResumeOutputKindCount = static_cast<int>(ResumeOutputKind::kSession) + 1;
inline constexpr int kExpiryCauseCount = static_cast<int>(ExpiryCause::kExplicit) + 1;
inline constexpr int kSendOutcomeCount = static_cast<int>(SendOutcome::kInvalid) + 1;
const char* to_string(SendOutcome outcome);

struct ClientOutput {
  bool resume = false;  // false: `conn` holds a Connection output; true: `res` a ResumeOutput
  Output conn;
  ResumeOutput res;
  // Resume outputs: the socket they were decided for (0: none was open). A kSendControl or a
  // kResend for a socket that is no longer the live one is not carried out.
  SocketId socket = 0;
  // The text to write: a kSendControl's frame; with resume on, a kSendPing's (empty with resume
  // off: the shim's own ping). Valid until the next poll().
  std::string_view frame;
};

struct ClientStats {
  std::uint64_t unacked = 0;        // messages kept for a resend (sent or waiting), resume on
  std::uint64_t unacked_bytes = 0;  // their bytes
  std::uint64_t resumes = 0;        // reconnects that resumed the session
  std::uint64_t expiries = 0;       // sessions that expired (messages may have been lost)
  std::uint64_t protocol_errors = 0;
};

class Client {
 public:
  // `resume`: the session's bounds and ack timing (ResumeConfig's defaults; a client refuses
  // rather than drops, whatever `resume.overflow` says).
  explicit Client(const Config& config, const ResumeConfig& resume = ResumeConfig{});

  bool config_valid() const;

  // --- Connection's commands and inputs, with the same meaning ---
  CommandResult open(Millis now);
  CommandResult close(Millis now, int code = kCodeNormal);
  CommandResult reconnect(Millis now);
  CommandResult handle_socket_opened(SocketId socket, Millis now);
  CommandResult handle_activity(SocketId socket, Millis at);
  CommandResult handle_pong(SocketId socket, Millis now);
  CommandResult handle_server_ping(SocketId socket, Millis now);
  CommandResult handle_socket_error(SocketId socket, Millis now,
                                    Millis retry_after = Connection::kNoHint);
  CommandResult handle_attempt_failed(SocketId socket, Millis now,
                                      Millis retry_after = Connection::kNoHint);
  CommandResult handle_socket_closed(SocketId socket, Millis now, int code, bool was_clean,
                                     bool reconnect_allowed, std::string_view reason = {});
  CommandResult handle_timeout(Millis now);
  CommandResult handle_network(bool online, Millis now);
  CommandResult handle_foreground(bool foreground, Millis now);

  // --- resume on ---
  // The app sends a message of `bytes` bytes: kWrite (write it now, with `seq`), kHold (keep it;
  // a kResend writes it), kFull or kInvalid (refused: drop it). Resume off: kInvalid.
  Sent send(std::uint64_t bytes, Millis now);
  // An application message arrived on `socket` (binary, or a text that does not start with
  // kControlPrefix). kOk: deliver it; kIgnored: do not (a stale socket, the old session's after
  // an expiry). A message out of place is a protocol error (the socket is closed) and kIgnored.
  // Resume off: kOk on the live open socket (activity), else kIgnored.
  CommandResult handle_message(SocketId socket, std::uint64_t bytes, Millis now);
  // A text that starts with kControlPrefix arrived on `socket`; `text` may be cut after
  // kMaxControlText bytes (no valid control frame is longer), `bytes` is its whole length. kOk: an
  // escaped application message: deliver the text after kEscapePrefix. Anything else: nothing to
  // deliver (a control frame, handled; or a protocol error, the socket closed).
  CommandResult handle_control_text(SocketId socket, std::string_view text, std::uint64_t bytes,
                                    Millis now);
  // Ends the session from this side (the app's own fallback): kDrop and kExpired outputs.
  CommandResult expire(Millis now);

  // --- outputs ---
  Millis poll_timeout() const;
  // The resume outputs decided by the latest input come before Connection's: a socket's
  // handshake is written before the 'open' listeners run.
  bool poll(ClientOutput& out);
  std::size_t pending_outputs() const;

  // --- introspection ---
  State state() const { return conn_.state(); }
  SocketId live_socket() const { return conn_.live_socket(); }
  const Stats& stats() const { return conn_.stats(); }
  ClientStats resume_stats() const;
  // When an open socket's unanswered handshake becomes the server's protocol error (kNever: no
  // handshake is waiting).
  Millis handshake_deadline() const;
  const Connection& connection() const { return conn_; }
  // nullptr with resume off.
  const ResumeState* session() const { return resume_ ? &*resume_ : nullptr; }

  // Longest text handle_control_text needs to see (a longer one is never a valid control frame).
  static constexpr std::size_t kMaxControlText = 128;

 private:
  struct Pending {
    ResumeOutput res;
    SocketId socket = 0;
    ControlBuffer text{};
    std::size_t size = 0;
  };
  // After every input: attach the session to a socket that opened, detach it from one that went
  // away, then take the session's outputs (stamped with the socket).
  CommandResult after(CommandResult result, Millis input_now);
  void sync(Millis now);
  void take_outputs();
  void protocol_error(SocketId socket, Millis now, bool useful = true);
  CommandResult dispatch(SocketId socket, const Control& c, Millis now);

  Connection conn_;
  std::optional<ResumeState> resume_;
  SocketId attached_ = 0;            // the socket the session is connected on (0: none)
  Millis now_ = -kNever;             // the latest time an input carried
  Millis handshake_since_ = kNever;  // since when an attached socket waits for hello or resumed
  std::vector<Pending> pending_;     // read from pending_read_ (no deque: its code is large)
  std::size_t pending_read_ = 0;
  ControlBuffer frame_{};  // the text of the output poll() returned last
  std::uint64_t resumes_ = 0;
  std::uint64_t expiries_ = 0;
  std::uint64_t protocol_errors_ = 0;
};

}  // namespace lifeline
