#include "lifeline/hint.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace lifeline {

namespace {

bool is_separator(char c) {
  return c == ' ' || c == ';' || c == ',' || c == '\t';
}

// "<key>=<1 to 10 digits>" ending at a separator or the end; the value in `out`.
bool read_token(std::string_view token, std::string_view key, Millis& out) {
  const std::size_t key_size = key.size();
  if (token.size() <= key_size + 1 || token.substr(0, key_size) != key || token[key_size] != '=') {
    return false;
  }
  const std::string_view digits = token.substr(key_size + 1);
  if (digits.size() > static_cast<std::size_t>(kHintMaxDigits)) return false;
  double value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  return true;
}

std::string whole(Millis v) {
  const double r = std::ceil(v);
  std::string digits;
  auto n = static_cast<unsigned long long>(r > 0 ? r : 0);
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + n % 10));
    n /= 10;
  } while (n != 0);
  return digits;
}

}  // namespace

bool parse_retry_hint(std::string_view reason, RetryHint& out) {
  RetryHint hint;
  bool found = false;
  std::size_t i = 0;
  while (i < reason.size()) {
    while (i < reason.size() && is_separator(reason[i]))
      ++i;
    std::size_t end = i;
    while (end < reason.size() && !is_separator(reason[end]))
      ++end;
    const std::string_view token = reason.substr(i, end - i);
    if (read_token(token, kHintRetryAfterKey, hint.retry_after) ||
        read_token(token, kHintWindowKey, hint.window)) {
      found = true;
    }
    i = end;
  }
  if (found) out = hint;
  return found;
}

std::string format_retry_hint(const RetryHint& hint) {
  return std::string(kHintRetryAfterKey) + "=" + whole(hint.retry_after) + " " + kHintWindowKey +
         "=" + whole(hint.window);
}

namespace {
Millis start_of(Millis downtime, Millis client_reconnect_delay) {
  const Millis start = std::max(downtime, client_reconnect_delay);
  return start > 0 ? start : 0;
}
}  // namespace

RetryHint restart_slot_hint(double index, double accept_per_second, Millis downtime,
                            Millis client_reconnect_delay) {
  RetryHint hint;
  const Millis slot = accept_per_second > 0 ? kHintHeadroom / accept_per_second * 1000 : 0;
  hint.retry_after = start_of(downtime, client_reconnect_delay) + (index > 0 ? index : 0) * slot;
  hint.window = slot;
  return hint;
}

RetryHint restart_hint(double clients, double accept_per_second, Millis downtime,
                       Millis client_reconnect_delay) {
  RetryHint hint;
  hint.retry_after = start_of(downtime, client_reconnect_delay);
  hint.window = clients > 0 && accept_per_second > 0
                    ? clients / accept_per_second * 1000 * kSharedHintHeadroom
                    : 0;
  return hint;
}

}  // namespace lifeline
