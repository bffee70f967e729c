// Lossless resume (PROTOCOL.md): the sequence and acknowledgement bookkeeping of one session, on
// either side, sans-IO like Connection. It reads no clock, holds no payload and throws nothing:
// the payloads live with the caller (JavaScript, a server), keyed by sequence number, and this
// says which to write, resend, release or drop.
//
// Numbering is implicit: the n-th application message a side sends in a session has seq n, and
// the receiver counts them, so application messages go on the wire unchanged. Control frames are
// text frames that start with kControlPrefix (classify_text, format_control).
//
// Driving it: per message, on_send() / on_receive() (their results say whether to poll); for
// control frames, on_control(); after any call whose result asks for it, drain poll(); arm one
// timer for poll_timeout() and call handle_timeout(now) when it fires (early, late or twice is
// harmless).
//
// What an input's result means (a client composite and a server's session table act on it):
//   kOk               accepted: deliver the message (on_receive), carry out what poll() holds.
//   kIgnored          nothing changed and nothing is delivered, and it is no error: a frame on a
//                     connection given up (the state is not connected: kNoSession, kDetached),
//                     the old session's frames after "expired" was said or heard on this
//                     connection (until the client's hello, the server's "new"), a number on a
//                     connection not attached, an ack that frees nothing, an unneeded call.
//   kInvalidArgument  a protocol error by the peer (or an input of the other role): nothing
//                     changed; close the connection with kCodeResumeProtocolError (4010).
//   kInvalidConfig, kInvalidTime  refused, nothing changed.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "lifeline/config.hpp"
#include "lifeline/types.hpp"

namespace lifeline {

// A sequence number: 1 for the first application message of a session, 0 for "none". At most
// 2^53 - 1, so that JavaScript numbers carry it exactly.
using Seq = std::uint64_t;
inline constexpr Seq kMaxSeq = (Seq{1} << 53) - 1;

// --- the wire (PROTOCOL.md, "Wire format") ---

// A text frame whose payload starts with these 4 bytes (U+001F UNIT SEPARATOR, "ll:") is a
// control frame. Binary frames never are.
inline constexpr std::string_view kControlPrefix{"\x1fll:", 4};
// An application text message that starts with kControlPrefix is sent behind this (8 bytes).
inline constexpr std::string_view kEscapePrefix{"\x1fll:esc ", 8};
// Session ids: 1 to 64 characters from [A-Za-z0-9_-].
inline constexpr std::size_t kMaxSessionId = 64;
// The close code for a peer that broke the protocol (a malformed control frame, a frame out of
// place, an application message before hello or resumed, a resumed that claims more than was
// sent: the inputs' kInvalidArgument).
inline constexpr int kCodeResumeProtocolError = 4010;
// The close code for a connection the server lets go because its session is now on a newer
// connection: the older one a resume superseded, or one whose resume came late (stale).
inline constexpr int kCodeResumeSuperseded = 4011;
// The binding ack cadence (PROTOCOL.md, "Acknowledgements"): a receiver tells an ack no later
// than this many messages, or bytes, after the last ack it told. The peer's bounds are not
// exchanged; they are sized on these. validate() refuses a config beyond them.
inline constexpr std::uint32_t kMaxAckEvery = 32;
inline constexpr std::uint64_t kMaxAckBytes = 64 * 1024;

enum class ControlKind : std::uint8_t {
  kNew,      // client -> server, first frame without a session: "new"
  kResume,   // client -> server, first frame with one: "resume <session> <last-received>"
  kHello,    // server -> client: "hello <session> <window-ms>"
  kResumed,  // server -> client: "resumed <last-received>"
  kExpired,  // either way: "expired" (the session is gone; the client then sends "new")
  kAck,      // either way: "ack <last-received>"
  kPing,     // either way: "ping <last-received>" (a heartbeat and an ack; answered by pong)
  kPong,     // either way: "pong <last-received>" (an ack)
};
inline constexpr int kControlKindCount = static_cast<int>(ControlKind::kPong) + 1;

struct Control {
  ControlKind kind = ControlKind::kAck;
  Seq seq = 0;               // resume, resumed, ack, ping, pong: the sender's last received
  std::uint64_t window = 0;  // hello: how long the server keeps a detached session (ms)
  std::string_view session;  // hello, resume (parse: points into the parsed text)
};

enum class TextFrame : std::uint8_t {
  kApp,        // an application message, as it is
  kEscaped,    // an application message: its text starts kEscapePrefix.size() bytes in
  kControl,    // a control frame, in `out`
  kUnknown,    // a control frame with a verb this version does not know: ignore it
  kMalformed,  // a known verb with bad arguments: a protocol error
};

// What a text frame's payload (UTF-8 bytes) is. `out` is written only for kControl.
TextFrame classify_text(std::string_view text, Control& out);
inline bool needs_escape(std::string_view app_text) {
  return app_text.substr(0, kControlPrefix.size()) == kControlPrefix;
}
bool valid_session_id(std::string_view id);

// Room for the longest control frame: the prefix, "resume ", a 64-byte id, " ", 16 digits.
using ControlBuffer = std::array<char, 96>;
// The text of `c` written into `buf` (empty if `c` is invalid: a bad session id, a seq above
// kMaxSeq, a window above kMaxSeq).
std::string_view format_control(const Control& c, ControlBuffer& buf);

const char* to_string(ControlKind kind);

// --- the bookkeeping ---

enum class ResumeRole : std::uint8_t { kClient, kServer };

// What happens when an application message would take the unacknowledged messages past
// max_unacked or max_unacked_bytes.
enum class Overflow : std::uint8_t {
  // The new message is refused (on_send: kFull) and the caller drops it with its event, as the
  // queue does today. Nothing accepted is ever lost: the client's choice.
  kRefuse,
  // The oldest unacknowledged message is dropped (a kDrop output); a resume that needs it finds
  // the session expired. A server's replay buffer: a slow or absent client cannot make the
  // server refuse the application's messages.
  kDropOldest,
};

struct ResumeConfig {
  // The unacknowledged messages kept for a resend (sent or not yet written), by count and bytes.
  std::uint32_t max_unacked = 1000;
  std::uint64_t max_unacked_bytes = 1024 * 1024;
  Overflow overflow = Overflow::kRefuse;
  // kDropOldest only: an unacknowledged message older than this is dropped. kNever: no limit.
  Millis max_age = kNever;
  // A standalone ack goes out when received messages have waited unacknowledged this long (the
  // heartbeat's ping and pong carry one for free), or at once when ack_every messages or
  // ack_bytes bytes are unacknowledged. kNever: only the thresholds and the heartbeat. Acks only
  // free the peer's memory (a resend starts after the last message received, never after the
  // last acked), so the delay is long: on a link quiet for a ping interval the heartbeat carries
  // the ack, and the thresholds keep the peer's bounds far away (PROTOCOL.md, "Overhead").
  Millis ack_delay = 30000;
  std::uint32_t ack_every = 32;
  std::uint64_t ack_bytes = 64 * 1024;
  // Server: how long a session is kept with no connection (sent in hello). Whole milliseconds.
  Millis session_window = 120000;

  static ResumeConfig server();  // the defaults with kDropOldest and a 5-minute max_age
};
static_assert(ResumeConfig{}.ack_every <= kMaxAckEvery && ResumeConfig{}.ack_bytes <= kMaxAckBytes,
              "the defaults must meet the binding ack cadence");
inline constexpr std::uint32_t kMaxUnackedLimit = 1u << 20;
// Entries a ResumeState allocates at first; more as messages wait (never past max_unacked).
inline constexpr std::size_t kInitialRing = 16;
bool validate(const ResumeConfig& config);

enum class ResumePhase : std::uint8_t {
  kNoSession,  // client: none yet, or it expired; the next connection asks for one ("new")
  kHandshake,  // client: connected, "new" or "resume" sent (or "expired"), its answer awaited
  kAttached,   // connected and in the session: application messages flow
  kDetached,   // in a session, not connected
  kEnded,      // server: the session is over (expired); a new one needs a new ResumeState
};

enum class ResumeOutputKind : std::uint8_t {
  kSendControl,  // write the control frame control_frame(output): `control`, `from` = its seq
  kResend,       // write the kept payloads with seqs from..to, in order, now (before any new one)
  kRelease,      // the peer has from..to: forget their payloads
  kDrop,         // from..to will never be resent (overflow, age or expiry): forget their payloads
                 // and tell the app ('drop' events)
  kExpired,      // the session is gone (`cause`); the app falls back ("reload your state")
  kSession,      // client: a session began (hello): session() and window() hold it
};

enum class ExpiryCause : std::uint8_t {
  kPeer,      // the peer said "expired"
  kGap,       // the peer needs messages that were dropped (or that it had acknowledged), or
              // claims more than was sent
  kWindow,    // server: no connection for session_window
  kExplicit,  // expire() was called
};

struct ResumeOutput {
  ResumeOutputKind kind = ResumeOutputKind::kRelease;
  ControlKind control = ControlKind::kAck;  // kSendControl
  Seq from = 0;
  Seq to = 0;
  ExpiryCause cause = ExpiryCause::kPeer;  // kExpired
};

enum class SendOutcome : std::uint8_t {
  kWrite,    // write it now
  kHold,     // keep it: a kResend after the next handshake writes it
  kFull,     // refused (kRefuse at the bound, or larger than max_unacked_bytes): drop it
  kInvalid,  // refused: non-finite time, invalid config, a session that ended, seqs exhausted
};
struct Sent {
  SendOutcome outcome = SendOutcome::kInvalid;
  Seq seq = 0;        // kWrite, kHold
  bool poll = false;  // outputs are pending (kDrop with kDropOldest)
};
struct Received {
  // kOk: deliver it to the app; kIgnored: do not; kInvalidArgument: a protocol error (4010).
  CommandResult result = CommandResult::kInvalidArgument;
  Seq seq = 0;
  bool poll = false;  // an ack is due at once (threshold): poll() holds it
};

class ResumeState {
 public:
  ResumeState(const ResumeConfig& config, ResumeRole role);

  // Every input returns (or carries) kInvalidTime, and changes nothing, when `now` is not finite;
  // time that goes backwards counts as no time passing. Refused input changes nothing but what
  // its time made due (an ack whose delay ran out, an age or a window).

  // --- application messages ---
  Sent on_send(std::uint64_t bytes, Millis now);
  // An application message arrived (binary, plain text or escaped text). kOk on the attached
  // connection: deliver it. kIgnored: do not (not connected: a connection given up; a client
  // after an expiry on this connection, until hello; a server's session that ended).
  // kInvalidArgument, a protocol error: a client's before the hello that answers its "new", or
  // before the resumed that answers its "resume".
  Received on_receive(std::uint64_t bytes, Millis now);

  // --- connection life ---
  // Client: a connection opened; emits "new" or "resume <session> <last>".
  CommandResult on_connected(Millis now);
  // The connection is gone (either role). Until the next on_connected, whatever it still
  // delivers is kIgnored; after it, the caller must not pass it in (the state cannot tell
  // connections apart).
  CommandResult on_disconnected(Millis now);
  // Server: a client sent "new" and was given `session`: emits hello.
  CommandResult on_new(std::string_view session, Millis now);

  // --- control frames (on_control dispatches to the rest) ---
  // "new": kInvalidArgument on a client (sent to a client) and on a server's attached session (no
  // one said "expired"); else kIgnored: the server's session table answers it with a new
  // state's on_new. ping goes to on_ping (the state answers it: do not also answer through
  // Connection's kSendPong); ack and pong to on_ack.
  CommandResult on_control(const Control& c, Millis now);
  // Client: the answer to its "new". kInvalidArgument on a server, after a "resume", in a session,
  // or with a bad id or window; kIgnored when not connected.
  CommandResult on_hello(std::string_view session, std::uint64_t window, Millis now);
  // Client: the answer to its "resume": the server has 1..peer_last_received. Emits a kRelease and
  // a kResend; or, on a gap (peer_last_received + 1 < first_kept()), "expired", the expiry and
  // "new". kInvalidArgument on a server, before any "resume" was answered, in a session, or
  // beyond what was written; kIgnored when not connected, or after this side expired the
  // session it answers (until hello).
  CommandResult on_resumed(Seq peer_last_received, Millis now);
  // Server: "resume" for this session arrived on a new connection, after the table's checks (a
  // known id of the same principal, not stale, the connection's first frame); a live old
  // connection is detached here (the table closes it with kCodeResumeSuperseded). Emits resumed,
  // a kRelease and a kResend; or "expired" and ends the session (kDrop, kExpired: cause kGap) when
  // peer_last_received + 1 < first_kept() or peer_last_received > written(); or "expired" alone
  // when the session had ended already. kOk for all of these; kInvalidArgument on a client, or
  // on a server state that never had a session.
  CommandResult on_resume(Seq peer_last_received, Millis now);
  // The peer said "expired". A client then says "new" on the same connection and ignores the old
  // session's frames until hello. kIgnored when not connected, when the session ended already
  // (both sides expired it at once), or on a client after its own expiry; kInvalidArgument on a
  // client that sent a fresh "new" (a server must answer it with hello).
  CommandResult on_expired(Millis now);
  // ack and pong (and a ping's number): the peer has 1..peer_last_received. Counted only while
  // attached (else kIgnored, unchecked); kInvalidArgument if beyond what was written; kIgnored if
  // it frees nothing new.
  CommandResult on_ack(Seq peer_last_received, Millis now);
  // A ping: emits its pong, "pong received()" while attached (the ack told, as heartbeat(kPong))
  // and "pong 0" on a connection not attached (a client's handshake, a server's ended session),
  // then counts the number as on_ack does. kOk (a pong to write); kIgnored with no connection
  // (kNoSession, kDetached); kInvalidArgument (no pong) if attached and the number is beyond
  // what was written.
  CommandResult on_ping(Seq peer_last_received, Millis now);
  // Ends the session from this side (the app drops it): kDrop, kExpired; when connected, also
  // "expired" (and, on a client, "new").
  CommandResult expire(Millis now);

  // This side's own heartbeat frame (kPing, or a kPong for a ping it answers itself) carrying the
  // ack: its seq is the last received. While attached it counts as the ack told (a standalone
  // ack is no longer due). The peer's pings are answered by on_ping.
  Control heartbeat(ControlKind kind, Millis now);

  // --- time ---
  CommandResult handle_timeout(Millis now);
  Millis poll_timeout() const;

  // --- outputs ---
  bool poll(ResumeOutput& out);
  std::size_t pending_outputs() const { return outputs_.size() - read_; }
  // The text of a kSendControl output (with this session's id where it needs one).
  std::string_view control_frame(const ResumeOutput& out, ControlBuffer& buf) const;

  // --- introspection ---
  ResumeRole role() const { return role_; }
  ResumePhase phase() const { return phase_; }
  bool config_valid() const { return config_valid_; }
  const ResumeConfig& config() const { return config_; }
  std::string_view session() const { return {session_.data(), session_size_}; }
  std::uint64_t window() const { return window_; }
  Seq next_seq() const { return next_; }      // the seq the next on_send gets
  Seq written() const { return written_; }    // the highest seq written on a connection
  Seq peer_acked() const { return acked_; }   // the peer's cumulative ack
  Seq received() const { return received_; }  // the highest seq received
  Seq ack_sent() const { return told_; }      // the highest ack told to the peer
  Seq first_kept() const { return first_; }   // the oldest seq still kept
  std::size_t unacked() const { return static_cast<std::size_t>(next_ - first_); }
  std::uint64_t unacked_bytes() const { return bytes_; }
  // Entries allocated for kept messages: grows by doubling up to max_unacked, never shrinks.
  std::size_t capacity() const { return ring_.size(); }

 private:
  struct Entry {
    std::uint64_t bytes = 0;
    Millis at = 0;
  };
  bool advance(Millis& now);
  void emit(const ResumeOutput& out);
  void emit_control(ControlKind kind, Seq seq = 0);
  void pop_front();
  void grow();               // doubles the ring (up to max_unacked), oldest first at 0
  void release_to(Seq seq);  // acked: kRelease
  void drop_front(Seq to);   // dropped: kDrop
  void end_session(ExpiryCause cause);
  void resend_all();  // kResend of every kept message not yet acknowledged
  void note_told(Seq seq);
  bool ack_due(Millis now) const;
  void run_timers(Millis now);  // what handle_timeout does; every input starts with it
  void attach(Millis now);
  void start_over();                       // client, connected, after an expiry: "new"
  bool connected() const;                  // a frame passed in may come on the live connection
  CommandResult unattached_frame() const;  // what a session's frame means when not attached
  CommandResult on_new_frame() const;

  ResumeConfig config_;
  bool config_valid_;
  ResumeRole role_;
  ResumePhase phase_;
  Millis now_ = -kNever;
  bool awaiting_hello_ = true;  // client, in kHandshake: "new" or "expired" was said, not "resume"
  bool after_expiry_ = false;   // client, in kHandshake: "new" follows an expiry on this connection

  std::array<char, kMaxSessionId> session_{};
  std::size_t session_size_ = 0;
  std::uint64_t window_ = 0;

  // Outbound: seqs first_..next_-1 are kept (ring_[head_] is first_); written_ of them went out.
  std::vector<Entry> ring_;
  std::size_t head_ = 0;
  Seq first_ = 1;
  Seq next_ = 1;
  Seq written_ = 0;
  Seq acked_ = 0;
  std::uint64_t bytes_ = 0;

  // Inbound: received_ delivered; told_ acknowledged to the peer.
  Seq received_ = 0;
  Seq told_ = 0;
  std::uint32_t untold_count_ = 0;
  std::uint64_t untold_bytes_ = 0;
  Millis untold_since_ = 0;  // when the oldest unacknowledged received message arrived

  Millis detached_at_ = 0;  // server: when the connection went away

  std::vector<ResumeOutput> outputs_;
  std::size_t read_ = 0;
};

const char* to_string(ResumePhase phase);
const char* to_string(ResumeOutputKind kind);
const char* to_string(ExpiryCause cause);

}  // namespace lifeline
