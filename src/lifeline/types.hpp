// The values that cross the core's boundary: states, causes, and the outputs it emits.
#pragma once

#include <cstdint>

#include "lifeline/config.hpp"

namespace lifeline {

// Socket ids are generations: every socket the core asks for gets a new one, and an input that
// carries any other id than the live socket's is ignored. 0 is never a socket.
using SocketId = std::uint32_t;

enum class State : std::uint8_t {
  kIdle,        // constructed, open() not called yet
  kConnecting,  // a socket was asked for and has not opened
  kOpen,        // the socket is open; the heartbeat runs
  kBackoff,     // waiting out the reconnect delay
  kPaused,      // a reconnect is due, but the network is offline (or the app hidden, if configured)
  kGaveUp,      // max_retries consecutive failures; reconnect() or open() starts again
  kClosed,      // close() was called, or the app marked a close final
};
inline constexpr int kStateCount = static_cast<int>(State::kClosed) + 1;

// Why a socket went away.
enum class CloseCause : std::uint8_t {
  kExplicit,        // the app called close()
  kRemote,          // the socket reported a close (server, proxy or platform)
  kError,           // the socket reported an error (or could not be created)
  kPongTimeout,     // nothing inbound within pong_timeout of a ping: the link is dead
  kConnectTimeout,  // not open within connect_timeout
  kForced,          // the app called reconnect()
  kFinal,           // a remote close that the app marked final
  kProtocol,        // the peer broke the resume protocol (PROTOCOL.md): closed with 4010
};
inline constexpr int kCauseCount = static_cast<int>(CloseCause::kProtocol) + 1;

enum class OutputKind : std::uint8_t {
  // Actions: the shim must carry them out.
  kOpenSocket,   // socket, attempt: create a socket with this id (attempt 0 = first of a run)
  kSendPing,     // socket
  kSendPong,     // socket
  kCloseSocket,  // socket, code, cause: close it and forget it; its later events are ignored
  kFlushQueue,   // socket: send what was queued while not open, in order
  // Events: for the app.
  kOpened,        // socket, attempt
  kClosed,        // socket, code, cause, was_clean, will_reconnect: once per socket that goes away
  kReconnecting,  // attempt, value = delay in ms before it starts
  kGaveUp,        // attempt = the number of reconnect attempts that failed
  kHeartbeat,     // socket, value = round-trip time in ms
  kStateChanged,  // from, to
};
inline constexpr int kOutputKindCount = static_cast<int>(OutputKind::kStateChanged) + 1;

inline constexpr bool is_action(OutputKind kind) {
  return kind <= OutputKind::kFlushQueue;
}

// Close codes the core uses when it abandons a socket itself (the 4000-4999 range is the
// application's and accepted by browsers' close()).
inline constexpr int kCodeNormal = 1000;
inline constexpr int kCodeAbnormal = 1006;  // reported for errors; never sent
inline constexpr int kCodePongTimeout = 4000;
inline constexpr int kCodeConnectTimeout = 4001;
inline constexpr int kCodeReconnect = 4002;
// The peer broke the resume protocol (PROTOCOL.md: a malformed control frame, a message out of
// place).
inline constexpr int kCodeProtocolError = 4010;

struct Output {
  OutputKind kind = OutputKind::kStateChanged;
  SocketId socket = 0;
  std::uint32_t attempt = 0;
  int code = 0;
  CloseCause cause = CloseCause::kRemote;
  bool was_clean = false;
  bool will_reconnect = false;
  double value = 0;  // delay (kReconnecting) or rtt (kHeartbeat)
  State from = State::kIdle;
  State to = State::kIdle;
};

// The result of every command and input: never an exception.
enum class CommandResult : std::uint8_t {
  kOk,
  kIgnored,          // nothing to do: a stale socket id, or nothing to do in this state
  kInvalidConfig,    // open() with a configuration that validate() rejects
  kInvalidTime,      // `now` is NaN or infinite: refused, nothing changed
  kInvalidArgument,  // close() with a code a client may not send (see is_app_close_code)
};
inline constexpr int kResultCount = static_cast<int>(CommandResult::kInvalidArgument) + 1;

struct Stats {
  std::uint64_t attempts = 0;         // sockets asked for
  std::uint64_t connects = 0;         // sockets that opened
  std::uint64_t pings_sent = 0;       // including probes
  std::uint64_t pongs_received = 0;   // pongs that answered an outstanding ping
  std::uint64_t dead_links = 0;       // pong-timeout verdicts
  std::uint64_t late_timers = 0;      // verdict deadlines that earned a fresh probe
  std::uint64_t deadline_misses = 0;  // learnt pong deadlines missed: each earned one more probe
  std::uint32_t retries = 0;          // consecutive reconnect attempts since the last reset
  double last_rtt = -1;               // -1 until the first pong
  double smoothed_rtt = -1;           // the open socket's smoothed rtt; -1 until its first pong
  double pong_wait = 0;               // how long the next ping waits for its pong
  State state = State::kIdle;
};

const char* to_string(State state);
const char* to_string(CloseCause cause);
const char* to_string(OutputKind kind);
const char* to_string(CommandResult result);

}  // namespace lifeline
