#include "trace.hpp"

#include "lifeline/contract.hpp"

#include <charconv>
#include <cmath>
#include <cstddef>
#include <sstream>

namespace lifeline::test {

std::string format_number(double v) {
  if (std::isinf(v)) return v > 0 ? "never" : "-never";
  if (std::isnan(v)) return "nan";
  // Shortest round-trip digits in fixed notation: what JavaScript's String(number) prints for
  // every value a trace holds, so both builds write the same text.
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  if (ec != std::errc()) return "?";
  std::string s(buf, end);
  if (s == "-0") s = "0";
  return s;
}

std::string format_config(const Config& c) {
  // Every field of the contract's table, in its order (the seed as a whole 64-bit number).
  std::ostringstream o;
  o << "config";
  for (int i = 0; i < kFieldCount; ++i) {
    const FieldSpec& f = field_spec(static_cast<Field>(i));
    o << " " << f.cpp_name << "=";
    if (f.field == Field::kSeed) {
      o << c.seed;
    } else {
      o << format_number(f.get(c));
    }
  }
  return o.str();
}

std::string format_output(const Output& o) {
  std::ostringstream s;
  s << "< " << to_string(o.kind) << " socket=" << o.socket << " attempt=" << o.attempt
    << " code=" << o.code << " cause=" << to_string(o.cause) << " clean=" << (o.was_clean ? 1 : 0)
    << " reconnect=" << (o.will_reconnect ? 1 : 0) << " value=" << format_number(o.value)
    << " from=" << to_string(o.from) << " to=" << to_string(o.to);
  return s.str();
}

std::string format_output(const ClientOutput& o) {
  std::string line;
  if (!o.resume) {
    line = format_output(o.conn);
  } else {
    std::ostringstream s;
    s << "< " << to_string(o.res.kind) << " socket=" << o.socket << " first=" << o.res.from
      << " last=" << o.res.to << " expiry=" << to_string(o.res.cause);
    line = s.str();
  }
  if (!o.frame.empty()) line += " frame=" + quote_control(o.frame);
  return line;
}

std::string quote_control(std::string_view text) {
  std::string out;
  if (text.substr(0, kControlPrefix.size()) == kControlPrefix) {
    text.remove_prefix(kControlPrefix.size());
  } else {
    out = "raw";
  }
  out += '"';
  static const char* const kHex = "0123456789abcdef";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\\' || c == '"') {
      out += '\\';
      out += ch;
    } else if (c >= 0x20 && c < 0x7f) {
      out += ch;
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  out += '"';
  return out;
}

bool unquote_control(std::string_view in, std::string& text, std::size_t& used) {
  std::size_t i = 0;
  text.clear();
  if (in.substr(0, 4) == "raw\"") {
    i = 3;
  } else {
    text = kControlPrefix;
  }
  if (i >= in.size() || in[i] != '"') return false;
  auto hex = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (++i; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '"') {
      used = i + 1;
      return true;
    }
    if (c != '\\') {
      text += c;
      continue;
    }
    if (++i == in.size()) return false;
    if (in[i] == '\\' || in[i] == '"') {
      text += in[i];
    } else if (in[i] == 'x' && i + 2 < in.size() && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
      text += static_cast<char>(hex(in[i + 1]) * 16 + hex(in[i + 2]));
      i += 2;
    } else {
      return false;
    }
  }
  return false;  // no closing quote
}

namespace {

// What the shim hands the core of an inbound control text (js/contract.js, writeFrame): its first
// Client::kMaxControlText bytes, each non-ASCII one as '?'.
std::string frame_for_core(std::string_view text) {
  std::string s(text.substr(0, Client::kMaxControlText));
  for (char& c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) c = '?';
  }
  return s;
}

std::string sent_line(const Sent& s) {
  return std::string(to_string(s.outcome)) + " seq=" + std::to_string(s.seq);
}

double parse_number(const std::string& s) {
  if (s == "never") return kNever;
  if (s == "-never") return -kNever;
  return std::stod(s);
}

std::vector<std::string> split(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string w; in >> w;)
    words.push_back(w);
  return words;
}

}  // namespace

bool parse_config(const std::string& line, Config& c, std::string& error) {
  auto words = split(line);
  if (words.empty() || words[0] != "config") {
    error = "expected a config line, got: " + line;
    return false;
  }
  for (std::size_t i = 1; i < words.size(); ++i) {
    auto eq = words[i].find('=');
    if (eq == std::string::npos) {
      error = "malformed config field: " + words[i];
      return false;
    }
    const std::string key = words[i].substr(0, eq), value = words[i].substr(eq + 1);
    const FieldSpec* field = nullptr;
    for (int f = 0; f < kFieldCount; ++f) {
      if (key == field_spec(static_cast<Field>(f)).cpp_name)
        field = &field_spec(static_cast<Field>(f));
    }
    if (field == nullptr) {
      error = "unknown config field: " + key;
      return false;
    }
    if (field->field == Field::kSeed) {
      c.seed = std::stoull(value);
    } else {
      field->set(c, parse_number(value));
    }
  }
  return true;
}

std::string replay(const std::string& trace, std::string& error) {
  std::istringstream in(trace);
  std::string line;
  std::ostringstream out;
  Config config;
  if (!std::getline(in, line) || !parse_config(line, config, error)) return {};
  out << format_config(config) << "\n";
  Client client(config);
  while (std::getline(in, line)) {
    if (line.rfind("> ", 0) != 0) continue;  // results, outputs and deadlines we reproduce
    auto w = split(line);
    if (w.size() < 3) {
      error = "malformed input: " + line;
      return {};
    }
    const double t = parse_number(w[1]);
    const std::string& name = w[2];
    auto arg = [&](std::size_t i) { return i + 3 < w.size() ? parse_number(w[i + 3]) : 0.0; };
    auto id = [&] { return static_cast<SocketId>(arg(0)); };
    // An optional last number (a Retry-After): NaN when absent.
    auto hint_arg = [&](std::size_t i) { return i + 3 < w.size() ? arg(i) : Connection::kNoHint; };
    // The words after the fixed arguments: a close reason (spaces collapse to one).
    auto rest = [&](std::size_t i) {
      std::string text;
      for (std::size_t k = i + 3; k < w.size(); ++k)
        text += (text.empty() ? "" : " ") + w[k];
      return text;
    };
    std::string result;  // the `=` line of a resume input
    if (name == "open")
      client.open(t);
    else if (name == "close")
      client.close(t, static_cast<int>(arg(0)));
    else if (name == "reconnect")
      client.reconnect(t);
    else if (name == "opened")
      client.handle_socket_opened(id(), t);
    else if (name == "activity")
      client.handle_activity(id(), t);
    else if (name == "pong")
      client.handle_pong(id(), t);
    else if (name == "server-ping")
      client.handle_server_ping(id(), t);
    else if (name == "error")
      client.handle_socket_error(id(), t, hint_arg(1));
    else if (name == "attempt-failed")
      client.handle_attempt_failed(id(), t, hint_arg(1));
    else if (name == "closed")
      client.handle_socket_closed(id(), t, static_cast<int>(arg(1)), arg(2) != 0, arg(3) != 0,
                                  rest(4));
    else if (name == "timeout")
      client.handle_timeout(t);
    else if (name == "network")
      client.handle_network(arg(0) != 0, t);
    else if (name == "foreground")
      client.handle_foreground(arg(0) != 0, t);
    else if (name == "send")
      result = sent_line(client.send(static_cast<std::uint64_t>(arg(0)), t));
    else if (name == "message")
      result = to_string(client.handle_message(id(), static_cast<std::uint64_t>(arg(1)), t));
    else if (name == "expire")
      result = to_string(client.expire(t));
    else if (name == "control") {
      // The quoted text follows "> <time> control <id> ".
      const std::string head = w.size() < 5 ? "" : "> " + w[1] + " control " + w[3] + " ";
      std::string text;
      std::size_t used = 0;
      if (head.empty() || line.rfind(head, 0) != 0 ||
          !unquote_control(std::string_view(line).substr(head.size()), text, used) ||
          head.size() + used != line.size()) {
        error = "malformed control input: " + line;
        return {};
      }
      result = to_string(client.handle_control_text(id(), frame_for_core(text), text.size(), t));
    } else {
      error = "unknown input: " + name;
      return {};
    }
    out << line << "\n";
    if (!result.empty()) out << "= " << result << "\n";
    for (ClientOutput o; client.poll(o);)
      out << format_output(o) << "\n";
    out << "@ " << format_number(client.poll_timeout()) << "\n";
  }
  return out.str();
}

ClientRecorder::ClientRecorder(const Config& config) : client(config) {
  trace_ = format_config(config) + "\n";
}

void ClientRecorder::input(const std::string& line, const std::string& result) {
  trace_ += "> " + format_number(now) + " " + line + "\n";
  if (!result.empty()) trace_ += "= " + result + "\n";
  for (ClientOutput o; client.poll(o);) {
    outputs_.push_back(format_output(o));
    trace_ += outputs_.back() + "\n";
  }
  trace_ += "@ " + format_number(client.poll_timeout()) + "\n";
}

namespace {
std::string with_hint(std::string line, Millis retry_after) {
  return std::isnan(retry_after) ? line : line + " " + format_number(retry_after);
}
}  // namespace

CommandResult ClientRecorder::open() {
  const auto r = client.open(now);
  input("open");
  return r;
}
CommandResult ClientRecorder::close(int code) {
  const auto r = client.close(now, code);
  input("close " + std::to_string(code));
  return r;
}
CommandResult ClientRecorder::reconnect() {
  const auto r = client.reconnect(now);
  input("reconnect");
  return r;
}
CommandResult ClientRecorder::opened(SocketId id) {
  const auto r = client.handle_socket_opened(id, now);
  input("opened " + std::to_string(id));
  return r;
}
CommandResult ClientRecorder::activity(SocketId id) {
  const auto r = client.handle_activity(id, now);
  input("activity " + std::to_string(id));
  return r;
}
CommandResult ClientRecorder::pong(SocketId id) {
  const auto r = client.handle_pong(id, now);
  input("pong " + std::to_string(id));
  return r;
}
CommandResult ClientRecorder::server_ping(SocketId id) {
  const auto r = client.handle_server_ping(id, now);
  input("server-ping " + std::to_string(id));
  return r;
}
CommandResult ClientRecorder::error(SocketId id, Millis retry_after) {
  const auto r = client.handle_socket_error(id, now, retry_after);
  input(with_hint("error " + std::to_string(id), retry_after));
  return r;
}
CommandResult ClientRecorder::attempt_failed(SocketId id, Millis retry_after) {
  const auto r = client.handle_attempt_failed(id, now, retry_after);
  input(with_hint("attempt-failed " + std::to_string(id), retry_after));
  return r;
}
CommandResult ClientRecorder::closed(SocketId id, int code, bool was_clean, bool reconnect_allowed,
                                     const std::string& reason) {
  const auto r = client.handle_socket_closed(id, now, code, was_clean, reconnect_allowed, reason);
  input("closed " + std::to_string(id) + " " + std::to_string(code) + " " +
        (was_clean ? "1" : "0") + " " + (reconnect_allowed ? "1" : "0") +
        (reason.empty() ? "" : " " + reason));
  return r;
}
CommandResult ClientRecorder::network(bool online) {
  const auto r = client.handle_network(online, now);
  input(std::string("network ") + (online ? "1" : "0"));
  return r;
}
CommandResult ClientRecorder::foreground(bool shown) {
  const auto r = client.handle_foreground(shown, now);
  input(std::string("foreground ") + (shown ? "1" : "0"));
  return r;
}
CommandResult ClientRecorder::timeout() {
  const auto r = client.handle_timeout(now);
  input("timeout");
  return r;
}
Sent ClientRecorder::send(std::uint64_t bytes) {
  const Sent s = client.send(bytes, now);
  input("send " + std::to_string(bytes), sent_line(s));
  return s;
}
CommandResult ClientRecorder::message(SocketId id, std::uint64_t bytes) {
  const auto r = client.handle_message(id, bytes, now);
  input("message " + std::to_string(id) + " " + std::to_string(bytes), to_string(r));
  return r;
}
CommandResult ClientRecorder::control(SocketId id, std::string_view body) {
  const std::string text = std::string(kControlPrefix) + std::string(body);
  const auto r = client.handle_control_text(id, frame_for_core(text), text.size(), now);
  input("control " + std::to_string(id) + " " + quote_control(text), to_string(r));
  return r;
}
CommandResult ClientRecorder::expire() {
  const auto r = client.expire(now);
  input("expire", to_string(r));
  return r;
}

void ClientRecorder::run_until(Millis t) {
  // Each deadline is handled when due; a core that left its deadline in the past would loop,
  // so the number of firings is bounded.
  for (int guard = 0; guard < 100000 && client.poll_timeout() <= t; ++guard) {
    if (client.poll_timeout() > now) now = client.poll_timeout();
    timeout();
  }
  if (t > now) now = t;
}

std::vector<std::string> ClientRecorder::take() {
  std::vector<std::string> out(outputs_.begin() + static_cast<std::ptrdiff_t>(taken_),
                               outputs_.end());
  taken_ = outputs_.size();
  return out;
}

}  // namespace lifeline::test
