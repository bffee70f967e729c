#include "trace.hpp"

#include "lifeline/contract.hpp"

#include <charconv>
#include <cmath>
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

namespace {

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
  Connection conn(config);
  while (std::getline(in, line)) {
    if (line.rfind("> ", 0) != 0) continue;  // outputs and deadlines are what we reproduce
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
    if (name == "open")
      conn.open(t);
    else if (name == "close")
      conn.close(t, static_cast<int>(arg(0)));
    else if (name == "reconnect")
      conn.reconnect(t);
    else if (name == "opened")
      conn.handle_socket_opened(id(), t);
    else if (name == "activity")
      conn.handle_activity(id(), t);
    else if (name == "pong")
      conn.handle_pong(id(), t);
    else if (name == "server-ping")
      conn.handle_server_ping(id(), t);
    else if (name == "error")
      conn.handle_socket_error(id(), t, hint_arg(1));
    else if (name == "attempt-failed")
      conn.handle_attempt_failed(id(), t, hint_arg(1));
    else if (name == "closed")
      conn.handle_socket_closed(id(), t, static_cast<int>(arg(1)), arg(2) != 0, arg(3) != 0,
                                rest(4));
    else if (name == "timeout")
      conn.handle_timeout(t);
    else if (name == "network")
      conn.handle_network(arg(0) != 0, t);
    else if (name == "foreground")
      conn.handle_foreground(arg(0) != 0, t);
    else {
      error = "unknown input: " + name;
      return {};
    }
    out << line << "\n";
    for (Output o; conn.poll(o);)
      out << format_output(o) << "\n";
    out << "@ " << format_number(conn.poll_timeout()) << "\n";
  }
  return out.str();
}

}  // namespace lifeline::test
