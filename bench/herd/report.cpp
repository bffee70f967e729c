// The herd's outputs: the tables on stdout, the JSON for BENCHMARKS.md, and a hand-written SVG.
#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <string>
#include <vector>

#include "herd.hpp"
#include "lifeline/config.hpp"

namespace herd {

namespace {

__attribute__((format(printf, 1, 2))) std::string fmt(const char* format, ...) {
  va_list args;
  va_start(args, format);
  va_list again;
  va_copy(again, args);
  const int n = std::vsnprintf(nullptr, 0, format, args);
  va_end(args);
  std::string out(n > 0 ? static_cast<std::size_t>(n) : 0, '\0');
  std::vsnprintf(out.data(), out.size() + 1, format, again);
  va_end(again);
  return out;
}

// 1234567 -> "1,234,567"
std::string group(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string seconds(double ms) {
  return fmt("%.1f s", ms / 1000.0);
}

std::string percent(double share) {
  return fmt("%.1f %%", share * 100.0);
}

double capacity_per_bin(const Scenario& s) {
  return s.capacity_per_s * kBinMs / 1000.0;
}

std::string pad(const std::string& s, std::size_t width, bool left = false) {
  // Widths count characters, not bytes: the only non-ASCII text here is the multiplication sign.
  std::size_t chars = 0;
  for (unsigned char ch : s)
    chars += (ch & 0xC0) != 0x80;
  if (chars >= width) return s;
  const std::string fill(width - chars, ' ');
  return left ? s + fill : fill + s;
}

}  // namespace

std::string format_table(const std::vector<Result>& comparison) {
  if (comparison.empty()) return "";
  const Scenario& s = comparison.front().scenario;
  std::string out;
  out += fmt("Herd: %s clients dropped at t = 0; the server refuses everything until %s, then\n",
             group(s.clients).c_str(), seconds(s.outage_ms).c_str());
  out += fmt(
      "accepts at most %s new connections per second (one-second windows from its return; the\n"
      "excess is refused at once and counts as a failed attempt); an accepted attempt opens %.0f "
      "ms\nlater and the client stays connected. Simulated clock, seed %llu.\n",
      group(static_cast<std::uint64_t>(s.capacity_per_s)).c_str(), s.open_latency_ms,
      static_cast<unsigned long long>(s.seed));
  out +=
      fmt("Ideal: %s clients / %s per s = %s after the return (all back at %s); capacity = %.0f "
          "attempts per 100 ms.\n\n",
          group(s.clients).c_str(), group(static_cast<std::uint64_t>(s.capacity_per_s)).c_str(),
          seconds(s.ideal_ms()).c_str(), seconds(s.outage_ms + s.ideal_ms()).c_str(),
          capacity_per_bin(s));

  const char* head[] = {"policy",   "back@1m",      "back@2m",    "back@5m",
                        "stranded", "attempts",     "peak/100ms", "peak/100ms>=30s",
                        "all back", "after return", "vs ideal"};
  const std::size_t width[] = {24, 8, 8, 8, 9, 10, 16, 22, 9, 13, 9};
  for (std::size_t i = 0; i < std::size(head); ++i)
    out += pad(head[i], width[i], i == 0) + (i + 1 < std::size(head) ? " " : "\n");
  std::size_t total = 0;
  for (auto w : width)
    total += w + 1;
  out += std::string(total - 1, '-') + "\n";

  for (const Result& r : comparison) {
    const double cap = capacity_per_bin(r.scenario);
    const double after = r.last_back_ms - r.scenario.outage_ms;
    std::vector<std::string> cells = {
        policy_name(r.policy),
        percent(r.share(r.back_by_1m)),
        percent(r.share(r.back_by_2m)),
        percent(r.share(r.back_by_5m)),
        group(r.stranded),
        group(r.attempts),
        fmt("%s @%.1fs", group(r.peak_per_bin).c_str(), r.peak_at_ms / 1000),
        fmt("%s (%.1f\u00d7cap) @%.1fs", group(r.peak_per_bin_after_return).c_str(),
            static_cast<double>(r.peak_per_bin_after_return) / cap,
            r.peak_after_return_at_ms / 1000),
        r.all_back() ? seconds(r.last_back_ms) : "never",
        r.all_back() ? seconds(after) : "never",
        r.all_back() ? fmt("%.1f\u00d7", after / r.scenario.ideal_ms()) : "-",
    };
    for (std::size_t i = 0; i < cells.size(); ++i)
      out += pad(cells[i], width[i], i == 0) + (i + 1 < cells.size() ? " " : "\n");
  }
  out += "\n";
  for (const Result& r : comparison) {
    out += fmt("  %-23s %s\n", policy_name(r.policy), policy_description(r.policy));
    out +=
        fmt("  %-23s %s attempts, %s refused; after the return %s, %s refused; at most %s by one "
            "client\n",
            "", group(r.attempts).c_str(), group(r.refused).c_str(),
            group(r.attempts_after_return).c_str(), group(r.refused_after_return).c_str(),
            group(r.max_attempts_one_client).c_str());
  }
  out +=
      "  back@Nm: share of clients open again N minutes after the drop. peak/100ms: attempts in "
      "the fullest\n  100 ms bin (and its start); >=30s: among bins from the server's return "
      "on. after return: last\n  client back minus the return; vs ideal: that over clients / "
      "capacity.\n";
  return out;
}

std::string format_scaling(const std::vector<Result>& scaling) {
  std::string out;
  if (scaling.empty()) return "";
  out +=
      fmt("%s alone (%s), the same scenario scaled (capacity scaled with the clients, so the "
          "shape is the same):\n",
          policy_name(scaling.front().policy), backoff_label(scaling.front().backoff).c_str());
  out += fmt("%10s %11s %12s %12s %12s %10s %10s %11s %10s %8s %9s %9s %9s\n", "clients",
             "capacity/s", "events", "core inputs", "attempts", "setup ms", "run ms", "ns/client",
             "ns/event", "back@2m", "all back", "vs ideal", "peak×cap");
  out += std::string(141, '-') + "\n";
  for (const Result& r : scaling) {
    const double total_ms = r.setup_wall_ms + r.run_wall_ms;
    out += fmt(
        "%10s %11s %12s %12s %12s %10.1f %10.1f %11.0f %10.0f %8s %9s %8.2f× %8.2f×\n",
        group(r.scenario.clients).c_str(),
        group(static_cast<std::uint64_t>(r.scenario.capacity_per_s)).c_str(),
        group(r.events).c_str(), group(r.core_inputs).c_str(), group(r.attempts).c_str(),
        r.setup_wall_ms, r.run_wall_ms, total_ms * 1e6 / r.scenario.clients,
        r.run_wall_ms * 1e6 / static_cast<double>(r.events), percent(r.share(r.back_by_2m)).c_str(),
        r.all_back() ? seconds(r.last_back_ms).c_str() : "never", vs_ideal(r), peak_vs_capacity(r));
  }
  out +=
      "  setup: constructing the Connections and connecting them before the drop; run: from the "
      "drop to the\n  last event. ns/client = (setup + run) / clients; ns/event = run / events "
      "popped from the queue\n  (each event is one or more calls into a lifeline::Connection "
      "plus a heap pop and pushes).\n";
  for (std::size_t i = 1; i < scaling.size(); ++i) {
    const Result& a = scaling[i - 1];
    const Result& b = scaling[i];
    out += fmt("  %s -> %s clients: clients x%.1f, events x%.2f, setup x%.1f, run x%.1f\n",
               group(a.scenario.clients).c_str(), group(b.scenario.clients).c_str(),
               static_cast<double>(b.scenario.clients) / a.scenario.clients,
               static_cast<double>(b.events) / static_cast<double>(a.events),
               b.setup_wall_ms / a.setup_wall_ms, b.run_wall_ms / a.run_wall_ms);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// JSON

namespace {

std::string num(double v) {
  if (!std::isfinite(v)) return "null";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt("%.0f", v);
  return fmt("%.6g", v);
}

std::string str(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "\"";
}

std::string array(const std::vector<std::uint32_t>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(v[i]);
  }
  return out + "]";
}

std::string scenario_json(const Scenario& s) {
  return fmt(
      "{\"clients\": %u, \"capacity_per_s\": %s, \"outage_ms\": %s, \"open_latency_ms\": "
      "%s, \"seed\": %llu, \"ideal_ms\": %s, \"capacity_per_100ms\": %s}",
      s.clients, num(s.capacity_per_s).c_str(), num(s.outage_ms).c_str(),
      num(s.open_latency_ms).c_str(), static_cast<unsigned long long>(s.seed),
      num(s.ideal_ms()).c_str(), num(capacity_per_bin(s)).c_str());
}

std::string result_json(const Result& r, bool with_series, const std::string& indent) {
  const bool all = r.all_back();
  const double after = r.last_back_ms - r.scenario.outage_ms;
  std::string o = indent + "{\n";
  auto field = [&](const char* name, const std::string& value, bool last = false) {
    o += indent + "  " + str(name) + ": " + value + (last ? "\n" : ",\n");
  };
  field("policy", str(policy_name(r.policy)));
  field("description", str(policy_description(r.policy)));
  field("scenario", scenario_json(r.scenario));
  field("attempts", std::to_string(r.attempts));
  field("accepted", std::to_string(r.accepted));
  field("refused", std::to_string(r.refused));
  field("attempts_after_return", std::to_string(r.attempts_after_return));
  field("refused_after_return", std::to_string(r.refused_after_return));
  field("max_attempts_one_client", std::to_string(r.max_attempts_one_client));
  field("back", std::to_string(r.back));
  field("stranded", std::to_string(r.stranded));
  field("back_share_1m", num(r.share(r.back_by_1m)));
  field("back_share_2m", num(r.share(r.back_by_2m)));
  field("back_share_5m", num(r.share(r.back_by_5m)));
  field("all_back", all ? "true" : "false");
  field("all_back_at_ms", all ? num(r.last_back_ms) : "null");
  field("all_back_after_return_ms", all ? num(after) : "null");
  field("vs_ideal", all ? num(after / r.scenario.ideal_ms()) : "null");
  field("last_back_ms", num(r.last_back_ms));
  field("last_attempt_ms", num(r.last_attempt_ms));
  field("last_event_ms", num(r.last_event_ms));
  field("peak_per_100ms", std::to_string(r.peak_per_bin));
  field("peak_at_ms", num(r.peak_at_ms));
  field("peak_per_100ms_after_return", std::to_string(r.peak_per_bin_after_return));
  field("peak_after_return_at_ms", num(r.peak_after_return_at_ms));
  field("peak_after_return_vs_capacity",
        num(static_cast<double>(r.peak_per_bin_after_return) / capacity_per_bin(r.scenario)));
  field("events", std::to_string(r.events));
  field("core_inputs", std::to_string(r.core_inputs));
  field("setup_wall_ms", num(r.setup_wall_ms));
  field("run_wall_ms", num(r.run_wall_ms));
  field("ns_per_client",
        num(std::round((r.setup_wall_ms + r.run_wall_ms) * 1e6 / r.scenario.clients)));
  field("ns_per_event",
        num(std::round(r.run_wall_ms * 1e6 /
                       static_cast<double>(std::max<std::uint64_t>(r.events, 1)))),
        !with_series);
  if (with_series) {
    field("attempts_per_100ms", array(r.attempts_per_bin));
    field("back_per_100ms", array(r.back_per_bin), true);
  }
  return o + indent + "}";
}

}  // namespace

std::string to_json(const std::vector<Result>& comparison, const std::vector<Result>& scaling,
                    const std::vector<Result>& proposed_scaling, bool scaled_capacity) {
  std::string o = "{\n  \"benchmark\": \"lifeline_herd\",\n";
  o += "  \"bin_ms\": " + num(kBinMs) + ",\n";
  o += "  \"server\": \"refuses every attempt before outage_ms; then at most capacity_per_s "
       "accepts per one-second window counted from outage_ms; the excess is refused at once\",\n";
  if (!comparison.empty())
    o += "  \"scenario\": " + scenario_json(comparison.front().scenario) + ",\n";
  o += "  \"comparison\": [\n";
  for (std::size_t i = 0; i < comparison.size(); ++i)
    o += result_json(comparison[i], true, "    ") + (i + 1 < comparison.size() ? ",\n" : "\n");
  o += "  ],\n";
  o += "  \"scaling\": {\n    \"policy\": \"ws-lifeline\",\n";
  o += std::string("    \"capacity\": ") + (scaled_capacity ? "\"scaled\"" : "\"fixed\"") + ",\n";
  o += "    \"runs\": [\n";
  for (std::size_t i = 0; i < scaling.size(); ++i)
    o += result_json(scaling[i], false, "      ") + (i + 1 < scaling.size() ? ",\n" : "\n");
  o += "    ],\n";
  o += "    \"proposed_policy\": " + str(policy_name(Policy::kLifelineProposed)) + ",\n";
  o += "    \"proposed_backoff\": " + str(backoff_label(proposed_backoff())) + ",\n";
  o += "    \"proposed_runs\": [\n";
  for (std::size_t i = 0; i < proposed_scaling.size(); ++i)
    o += result_json(proposed_scaling[i], false, "      ") +
         (i + 1 < proposed_scaling.size() ? ",\n" : "\n");
  o += "    ]\n  }\n}\n";
  return o;
}

// ---------------------------------------------------------------------------------------------
// SVG: two panels on one time axis. Top: attempts per 100 ms on a log scale (log10(1 + n), so
// that empty bins sit on the axis), with the capacity line. Bottom: share of clients back.

namespace {

const char* color(Policy p) {
  switch (p) {
    case Policy::kClassic:
      return "#d62728";
    case Policy::kReconnectingWebSocket:
      return "#ff7f0e";
    case Policy::kSocketIo:
      return "#1f77b4";
    case Policy::kLifeline:
      return "#2ca02c";
    case Policy::kLifeline10s:
      return "#17becf";
    case Policy::kLifelineProposed:
      return "#8c564b";
    case Policy::kLifelineSweep:
      return "#7f7f7f";
    case Policy::kClassicCore:
      return "#9467bd";
  }
  return "#000";
}

std::string esc(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch == '&') {
      out += "&amp;";
    } else if (ch == '<') {
      out += "&lt;";
    } else if (ch == '>') {
      out += "&gt;";
    } else {
      out += ch;
    }
  }
  return out;
}

std::string text(double x, double y, const std::string& s, const char* extra = "") {
  return fmt("<text x=\"%.1f\" y=\"%.1f\" %s>", x, y, extra) + esc(s) + "</text>\n";
}

std::string line(double x1, double y1, double x2, double y2, const char* style) {
  return fmt("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" %s/>\n", x1, y1, x2, y2, style);
}

}  // namespace

std::string to_svg(const std::vector<Result>& comparison) {
  if (comparison.empty()) return "";
  const Scenario& s = comparison.front().scenario;
  const double W = 1120, H = 760;
  const double x0 = 90, x1 = 850;   // plot area, both panels
  const double a0 = 90, a1 = 420;   // top panel (attempts), y range
  const double b0 = 490, b1 = 690;  // bottom panel (share back)
  const double legend_x = 870;

  // Time axis: up to the last event of any policy, rounded up.
  double t_end = s.outage_ms + s.ideal_ms();
  for (const Result& r : comparison)
    t_end = std::max({t_end, r.last_attempt_ms, r.last_back_ms});
  const double tick_s = t_end > 300000 ? 60 : t_end > 150000 ? 20 : 10;
  const double t_max = std::ceil(t_end / 1000 / tick_s) * tick_s * 1000;
  auto X = [&](double t_ms) { return x0 + (x1 - x0) * t_ms / t_max; };

  // Top panel: log10(1 + n).
  std::uint64_t peak = 1;
  for (const Result& r : comparison)
    peak = std::max(peak, r.peak_per_bin);
  const int decades = static_cast<int>(std::ceil(std::log10(static_cast<double>(peak))));
  const double top = std::log10(1.0 + std::pow(10.0, decades));  // the axis ends at 10^decades
  auto YA = [&](double n) { return a1 - (a1 - a0) * std::log10(1.0 + n) / top; };
  auto YB = [&](double share) { return b1 - (b1 - b0) * share; };

  std::string o;
  o +=
      fmt("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
          "viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" "
          "font-size=\"12\">\n",
          W, H, W, H);
  o += fmt("<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"white\"/>\n", W, H);
  o += text(x0, 28,
            fmt("%s clients dropped at t = 0; the server is back at %.0f s and accepts %s new "
                "connections/s",
                group(s.clients).c_str(), s.outage_ms / 1000,
                group(static_cast<std::uint64_t>(s.capacity_per_s)).c_str()),
            "font-size=\"16\" font-weight=\"bold\"");
  o += text(x0, 48,
            "Simulated clock. Refused attempts are retried by each policy's own schedule; an "
            "accepted client stays connected.",
            "fill=\"#444\"");
  o += text(x0, a0 - 12, "Connection attempts per 100 ms (log scale; refused ones included)",
            "font-weight=\"bold\"");
  o += text(x0, b0 - 12, "Clients connected again (share of all clients)", "font-weight=\"bold\"");

  // Grids and axes.
  const char* grid = "stroke=\"#e3e3e3\" stroke-width=\"1\"";
  const char* axis = "stroke=\"#333\" stroke-width=\"1\"";
  for (double t = 0; t <= t_max + 1; t += tick_s * 1000) {
    o += line(X(t), a0, X(t), a1, grid);
    o += line(X(t), b0, X(t), b1, grid);
    o += line(X(t), a1, X(t), a1 + 4, axis);
    o += line(X(t), b1, X(t), b1 + 4, axis);
    o += text(X(t), a1 + 17, fmt("%.0f", t / 1000), "text-anchor=\"middle\"");
    o += text(X(t), b1 + 17, fmt("%.0f", t / 1000), "text-anchor=\"middle\"");
  }
  for (int d = -1; d <= decades; ++d) {
    const double n = d < 0 ? 0 : std::pow(10.0, d);
    const double y = YA(n);
    o += line(x0, y, x1, y, grid);
    o += line(x0 - 4, y, x0, y, axis);
    const std::string label = n >= 1000 ? fmt("%.0fk", n / 1000) : fmt("%.0f", n);
    o += text(x0 - 8, y + 4, label, "text-anchor=\"end\"");
  }
  for (int p = 0; p <= 100; p += 25) {
    const double y = YB(p / 100.0);
    o += line(x0, y, x1, y, grid);
    o += line(x0 - 4, y, x0, y, axis);
    o += text(x0 - 8, y + 4, fmt("%d %%", p), "text-anchor=\"end\"");
  }
  o += line(x0, a0, x0, a1, axis) + line(x0, a1, x1, a1, axis);
  o += line(x0, b0, x0, b1, axis) + line(x0, b1, x1, b1, axis);
  o += text((x0 + x1) / 2, a1 + 34, "time since the drop (s)", "text-anchor=\"middle\"");
  o += text((x0 + x1) / 2, b1 + 34, "time since the drop (s)", "text-anchor=\"middle\"");
  o +=
      fmt("<text transform=\"translate(28 %.1f) rotate(-90)\" text-anchor=\"middle\">attempts "
          "per 100 ms</text>\n",
          (a0 + a1) / 2);
  o +=
      fmt("<text transform=\"translate(28 %.1f) rotate(-90)\" text-anchor=\"middle\">clients "
          "back</text>\n",
          (b0 + b1) / 2);

  // The server's return, its capacity and the ideal.
  const char* marker = "stroke=\"#555\" stroke-width=\"1.2\" stroke-dasharray=\"6 4\"";
  o += line(X(s.outage_ms), a0, X(s.outage_ms), a1, marker);
  o += line(X(s.outage_ms), b0, X(s.outage_ms), b1, marker);
  // Labels go on top of the lines, with a white halo.
  const char* halo = "stroke=\"white\" stroke-width=\"4\" paint-order=\"stroke\" ";
  std::string labels;
  labels += text(X(s.outage_ms) + 5, a0 + 14, fmt("server back (%.0f s)", s.outage_ms / 1000),
                 (std::string(halo) + "fill=\"#333\"").c_str());
  const double cap = capacity_per_bin(s);
  o += line(X(s.outage_ms), YA(cap), x1, YA(cap),
            "stroke=\"#000\" stroke-width=\"1.5\" stroke-dasharray=\"2 3\"");
  labels += text(x1 - 4, YA(cap) - 6,
                 fmt("capacity: %s/s = %.0f per 100 ms",
                     group(static_cast<std::uint64_t>(s.capacity_per_s)).c_str(), cap),
                 (std::string(halo) + "text-anchor=\"end\" fill=\"#000\"").c_str());
  const double ideal_end = s.outage_ms + s.ideal_ms();
  o +=
      fmt("<polyline fill=\"none\" stroke=\"#888\" stroke-width=\"2\" stroke-dasharray=\"6 4\" "
          "points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f\"/>\n",
          X(0), YB(0), X(s.outage_ms), YB(0), X(ideal_end), YB(1), X(t_max), YB(1));
  labels += text(X(ideal_end) - 10, YB(1) + 14,
                 fmt("ideal: all back at %.0f s (clients / capacity)", ideal_end / 1000),
                 (std::string(halo) + "text-anchor=\"end\" fill=\"#555\"").c_str());

  // The policies.
  for (const Result& r : comparison) {
    std::string pts;
    const auto& bins = r.attempts_per_bin;
    double prev = 0;
    pts += fmt("%.1f,%.1f ", X(0), YA(0));
    for (std::size_t i = 0; i <= bins.size(); ++i) {
      const double v = i < bins.size() ? bins[i] : 0;
      if (v == prev) continue;
      const double x = X(static_cast<double>(i) * kBinMs);
      pts += fmt("%.1f,%.1f %.1f,%.1f ", x, YA(prev), x, YA(v));
      prev = v;
    }
    o +=
        fmt("<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.4\" stroke-opacity=\"0.85\" "
            "stroke-linejoin=\"round\" points=\"%s\"/>\n",
            color(r.policy), pts.c_str());

    std::string cum;
    std::uint64_t n = 0;
    cum += fmt("%.1f,%.1f ", X(0), YB(0));
    for (std::size_t i = 0; i < r.back_per_bin.size(); ++i) {
      if (r.back_per_bin[i] == 0) continue;
      const double before = r.share(static_cast<std::uint32_t>(n));
      n += r.back_per_bin[i];
      const double x = X(static_cast<double>(i + 1) * kBinMs);
      cum +=
          fmt("%.1f,%.1f %.1f,%.1f ", x, YB(before), x, YB(r.share(static_cast<std::uint32_t>(n))));
    }
    cum += fmt("%.1f,%.1f", X(t_max), YB(r.share(static_cast<std::uint32_t>(n))));
    o +=
        fmt("<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" stroke-linejoin=\"round\" "
            "points=\"%s\"/>\n",
            color(r.policy), cum.c_str());
  }

  o += labels;

  // Legend, with each policy's headline figures.
  double ly = a0 + 4;
  o += text(legend_x, ly, "policy", "font-weight=\"bold\"");
  ly += 22;
  for (const Result& r : comparison) {
    o +=
        fmt("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
            "stroke-width=\"3\"/>\n",
            legend_x, ly - 4, legend_x + 26, ly - 4, color(r.policy));
    o += text(legend_x + 34, ly, policy_name(r.policy), "font-weight=\"bold\"");
    o += text(legend_x + 34, ly + 15,
              r.all_back() ? fmt("all back at %.1f s", r.last_back_ms / 1000)
                           : fmt("%s stranded for good", group(r.stranded).c_str()),
              "fill=\"#444\" font-size=\"11\"");
    o += text(legend_x + 34, ly + 29,
              fmt("peak after return: %s / 100 ms", group(r.peak_per_bin_after_return).c_str()),
              "fill=\"#444\" font-size=\"11\"");
    o += text(legend_x + 34, ly + 43, fmt("%s attempts", group(r.attempts).c_str()),
              "fill=\"#444\" font-size=\"11\"");
    ly += 64;
  }
  o += line(legend_x, ly, legend_x + 26, ly,
            "stroke=\"#000\" stroke-width=\"1.5\" stroke-dasharray=\"2 3\"");
  o += text(legend_x + 34, ly + 4, "server capacity", "font-size=\"11\"");
  ly += 20;
  o += line(legend_x, ly, legend_x + 26, ly,
            "stroke=\"#888\" stroke-width=\"2\" "
            "stroke-dasharray=\"6 4\"");
  o += text(legend_x + 34, ly + 4, "ideal (bottom panel)", "font-size=\"11\"");
  ly += 20;
  o += line(legend_x, ly, legend_x + 26, ly, marker);
  o += text(legend_x + 34, ly + 4, "server's return", "font-size=\"11\"");

  o += "</svg>\n";
  return o;
}

// ---------------------------------------------------------------------------------------------
// --sweep

namespace {

std::string times(double v, int decimals = 2) {
  if (!std::isfinite(v)) return "never";
  return fmt("%.*f\u00d7", decimals, v);
}

std::string point_name(const SweepPoint& p) {
  if (p.policy == Policy::kLifelineSweep) return backoff_label(p.backoff);
  if (p.policy == Policy::kLifeline) return "today: " + backoff_label(p.backoff);
  if (p.policy == Policy::kLifelineProposed) return "before tuning: " + backoff_label(p.backoff);
  return policy_name(p.policy);
}

const char* goal_word(const SweepPoint& p, const SweepGoal& g) {
  return p.meets_with_margin(g) ? "margin" : p.meets(g) ? "yes" : "no";
}

std::string sweep_row(const SweepPoint& p, const SweepGoal& g) {
  return pad(point_name(p), 52, true) + " " + pad(times(p.worst_vs_ideal), 9) + " " +
         pad(times(p.mean_vs_ideal), 9) + " " + pad(times(p.worst_peak), 9) + " " +
         pad(times(p.mean_peak), 9) + " " +
         pad(group(static_cast<std::uint64_t>(p.mean_attempts)), 10) + " " +
         pad(std::to_string(p.seeds), 5) + "  " + goal_word(p, g) + "\n";
}

std::string sweep_head() {
  std::string out = pad("backoff", 52, true) + " " + pad("vs ideal", 9) + " " + pad("(mean)", 9) +
                    " " + pad("peak", 9) + " " + pad("(mean)", 9) + " " + pad("attempts", 10) +
                    " " + pad("seeds", 5) + "  goal\n";
  return out + std::string(112, '-') + "\n";
}

}  // namespace

std::string format_sweep(const Sweep& sw) {
  const Scenario& s = sw.scenario;
  std::string out;
  out += fmt(
      "Backoff sweep: %s clients dropped at t = 0, the server back at %.0f s accepting %s/s (the "
      "herd scenario).\nGoal: all back within %.1f\u00d7 the ideal time (%s) at no more than "
      "%.1f\u00d7 capacity (%.0f attempts) in any\n100 ms bin from the return on. vs ideal and "
      "peak: the worst over the seeds (%llu, %llu, ...); attempts: the mean.\n\n",
      group(s.clients).c_str(), s.outage_ms / 1000,
      group(static_cast<std::uint64_t>(s.capacity_per_s)).c_str(), sw.goal.vs_ideal,
      seconds(s.ideal_ms()).c_str(), sw.goal.peak, sw.goal.peak * capacity_per_bin(s),
      static_cast<unsigned long long>(s.seed), static_cast<unsigned long long>(s.seed + 1));
  out += fmt("The grid (%zu points, %d seeds each):\n", sw.points.size(), sw.grid.seeds);
  out += sweep_head();
  for (const SweepPoint& p : sw.points)
    out += sweep_row(p, sw.goal);
  out += fmt("\nThe best %zu that meet the goal, again with %d seeds:\n", sw.validated.size(),
             sw.grid.validation_seeds);
  out += sweep_head();
  for (const SweepPoint& p : sw.validated)
    out += sweep_row(p, sw.goal);
  out += fmt("\nToday's default, the proposal and the peers, with %d seeds:\n",
             sw.grid.validation_seeds);
  out += sweep_head();
  for (const SweepPoint& p : sw.marked)
    out += sweep_row(p, sw.goal);
  out += "\n";
  if (sw.pick >= 0) {
    out +=
        "Pick (meets the goal over the validation seeds; then lowest peak, then fewest "
        "attempts): " +
        backoff_label(sw.validated[static_cast<std::size_t>(sw.pick)].backoff) + "\n";
    const lifeline::Config defaults;
    const Backoff current{defaults.reconnect_delay, defaults.max_reconnect_delay,
                          defaults.backoff_factor, defaults.jitter};
    if (!(sw.validated[static_cast<std::size_t>(sw.pick)].backoff == current))
      out +=
          "  (differs from the defaults in lifeline/config.hpp: " + backoff_label(current) + ")\n";
  } else {
    out += "Pick: no grid point meets the goal over the validation seeds.\n";
  }
  out += fmt("%llu runs of %s clients in %.1f s.\n", static_cast<unsigned long long>(sw.runs),
             group(s.clients).c_str(), sw.wall_ms / 1000);
  return out;
}

namespace {

std::string point_json(const SweepPoint& p, const SweepGoal& g, bool names = true) {
  std::string o = "{";
  o += "\"policy\": " + str(policy_name(p.policy));
  if (names) o += ", \"label\": " + str(point_name(p));
  if (p.policy != Policy::kReconnectingWebSocket && p.policy != Policy::kSocketIo &&
      p.policy != Policy::kClassic) {
    o +=
        fmt(", \"reconnect_delay_ms\": %s, \"max_reconnect_delay_ms\": %s, \"backoff_factor\": "
            "%s, \"jitter\": %s",
            num(p.backoff.reconnect_delay).c_str(), num(p.backoff.max_reconnect_delay).c_str(),
            num(p.backoff.backoff_factor).c_str(), num(p.backoff.jitter).c_str());
  }
  o += fmt(
      ", \"seeds\": %d, \"worst_vs_ideal\": %s, \"mean_vs_ideal\": %s, "
      "\"worst_peak_vs_capacity\": %s, \"mean_peak_vs_capacity\": %s, \"mean_attempts\": %s, "
      "\"max_attempts\": %llu, \"worst_stranded\": %u, \"meets_goal\": %s, "
      "\"meets_goal_with_margin\": %s}",
      p.seeds, num(p.worst_vs_ideal).c_str(), num(p.mean_vs_ideal).c_str(),
      num(p.worst_peak).c_str(), num(p.mean_peak).c_str(), num(std::round(p.mean_attempts)).c_str(),
      static_cast<unsigned long long>(p.max_attempts), p.worst_stranded,
      p.meets(g) ? "true" : "false", p.meets_with_margin(g) ? "true" : "false");
  return o;
}

std::string list_json(const std::vector<double>& v) {
  std::string o = "[";
  for (std::size_t i = 0; i < v.size(); ++i)
    o += (i ? ", " : "") + num(v[i]);
  return o + "]";
}

std::string points_json(const std::vector<SweepPoint>& v, const SweepGoal& g) {
  std::string o = "[\n";
  for (std::size_t i = 0; i < v.size(); ++i)
    o += "    " + point_json(v[i], g) + (i + 1 < v.size() ? ",\n" : "\n");
  return o + "  ]";
}

}  // namespace

std::string sweep_json(const Sweep& sw) {
  const SweepGoal& g = sw.goal;
  std::string o = "{\n  \"benchmark\": \"lifeline_herd --sweep\",\n";
  o += "  \"scenario\": " + scenario_json(sw.scenario) + ",\n";
  o +=
      fmt("  \"goal\": {\"vs_ideal\": %s, \"peak_vs_capacity\": %s, \"margin\": %s, "
          "\"peak_resolution\": %s},\n",
          num(g.vs_ideal).c_str(), num(g.peak).c_str(), num(g.margin).c_str(),
          num(g.peak_resolution).c_str());
  o += "  \"definitions\": " +
       str("vs_ideal: (last client back - return) / (clients / capacity); peak: attempts in the "
           "fullest 100 ms bin starting at or after the return / capacity per 100 ms; worst_*: "
           "the worst over the seeds (scenario.seed, +1, ...); the pick meets both bounds times "
           "(1 - margin) over the validation seeds, then has the lowest worst peak (rounded to "
           "peak_resolution), then the fewest attempts") +
       ",\n";
  o +=
      fmt("  \"grid\": {\"reconnect_delays_ms\": %s, \"caps_ms\": %s, \"factors\": %s, "
          "\"jitters\": %s, \"seeds\": %d, \"validate_top\": %d, \"validation_seeds\": %d},\n",
          list_json(sw.grid.reconnect_delays).c_str(), list_json(sw.grid.caps).c_str(),
          list_json(sw.grid.factors).c_str(), list_json(sw.grid.jitters).c_str(), sw.grid.seeds,
          sw.grid.validate_top, sw.grid.validation_seeds);
  o += "  \"points\": " + points_json(sw.points, g) + ",\n";
  o += "  \"validated\": " + points_json(sw.validated, g) + ",\n";
  o += "  \"marked\": " + points_json(sw.marked, g) + ",\n";
  o += "  \"pick\": " +
       (sw.pick >= 0 ? point_json(sw.validated[static_cast<std::size_t>(sw.pick)], g)
                     : std::string("null")) +
       ",\n";
  o += fmt(
      "  \"pick_is_proposed\": %s,\n",
      sw.pick >= 0 && sw.validated[static_cast<std::size_t>(sw.pick)].backoff == proposed_backoff()
          ? "true"
          : "false");
  o += fmt("  \"runs\": %llu,\n  \"wall_ms\": %s\n}\n", static_cast<unsigned long long>(sw.runs),
           num(std::round(sw.wall_ms)).c_str());
  return o;
}

// The trade-off plot: x = all back vs ideal, y = peak vs capacity, both the worst over the
// seeds. One line per (reconnect delay, factor, jitter) through the caps; the goal shaded.
std::string sweep_svg(const Sweep& sw) {
  const SweepGoal& g = sw.goal;
  const double W = 1120, H = 760;
  const double x0 = 90, x1 = 830, y0 = 80, y1 = 680;  // plot area
  const double legend_x = 850;

  // Fixed ranges, so that runs compare; what lies beyond is clipped and listed below the chart.
  double xmax = 4.0, ymax = 4.0;
  const double xmin = 1.0;
  auto X = [&](double v) { return x0 + (x1 - x0) * (v - xmin) / (xmax - xmin); };
  auto Y = [&](double v) { return y1 - (y1 - y0) * v / ymax; };

  std::string o;
  o +=
      fmt("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
          "viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" "
          "font-size=\"12\">\n",
          W, H, W, H);
  o += fmt("<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"white\"/>\n", W, H);
  const Scenario& s = sw.scenario;
  o += text(x0, 28,
            fmt("Backoff trade-off: %s clients dropped, server back at %.0f s accepting %s/s",
                group(s.clients).c_str(), s.outage_ms / 1000,
                group(static_cast<std::uint64_t>(s.capacity_per_s)).c_str()),
            "font-size=\"16\" font-weight=\"bold\"");
  o += text(x0, 48,
            fmt("Each point: the worst of %d seeds (grid) or %d seeds (marked). One line per "
                "(factor, jitter) through the caps; the cap grows to the right.",
                sw.grid.seeds, sw.grid.validation_seeds),
            "fill=\"#444\"");

  o +=
      fmt("<defs><clipPath id=\"plot\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
          "height=\"%.1f\"/></clipPath></defs>\n",
          x0, y0 - 10, x1 - x0 + 10, y1 - y0 + 10);

  // The goal, and the goal with margin.
  o +=
      fmt("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#2ca02c\" "
          "fill-opacity=\"0.10\"/>\n",
          X(xmin), Y(g.peak), X(g.vs_ideal) - X(xmin), Y(0) - Y(g.peak));
  o +=
      fmt("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#2ca02c\" "
          "fill-opacity=\"0.12\" stroke=\"#2ca02c\" stroke-dasharray=\"4 3\"/>\n",
          X(xmin), Y(g.peak * (1 - g.margin)), X(g.vs_ideal * (1 - g.margin)) - X(xmin),
          Y(0) - Y(g.peak * (1 - g.margin)));
  o += text(X(xmin) + 6, Y(0) - 10,
            fmt("goal: \u2264 %.1f\u00d7 ideal, \u2264 %.1f\u00d7 capacity (dashed: with %.0f %% "
                "margin)",
                g.vs_ideal, g.peak, g.margin * 100),
            "fill=\"#1a6e1a\" font-weight=\"bold\"");

  // Grid and axes.
  const char* grid = "stroke=\"#e3e3e3\" stroke-width=\"1\"";
  const char* axis = "stroke=\"#333\" stroke-width=\"1\"";
  for (double v = xmin; v <= xmax + 1e-9; v += 0.5) {
    o += line(X(v), y0, X(v), y1, grid);
    o += line(X(v), y1, X(v), y1 + 4, axis);
    o += text(X(v), y1 + 17, fmt("%.1f\u00d7", v), "text-anchor=\"middle\"");
  }
  for (double v = 0; v <= ymax + 1e-9; v += 0.5) {
    o += line(x0, Y(v), x1, Y(v), grid);
    o += line(x0 - 4, Y(v), x0, Y(v), axis);
    o += text(x0 - 8, Y(v) + 4, fmt("%.1f\u00d7", v), "text-anchor=\"end\"");
  }
  o += line(x0, y0, x0, y1, axis) + line(x0, y1, x1, y1, axis);
  o += text((x0 + x1) / 2, y1 + 36,
            "all clients back, after the return, vs the ideal (clients / capacity)",
            "text-anchor=\"middle\"");
  o +=
      fmt("<text transform=\"translate(30 %.1f) rotate(-90)\" text-anchor=\"middle\">peak "
          "attempts per 100 ms after the return, vs capacity</text>\n",
          (y0 + y1) / 2);

  // The curves: colour by jitter, dash by factor.
  static const char* jitter_colors[] = {"#d62728", "#ff7f0e", "#1f77b4", "#2ca02c",
                                        "#9467bd", "#8c564b", "#e377c2", "#17becf"};
  static const char* factor_dash[] = {"", "stroke-dasharray=\"6 3\"", "stroke-dasharray=\"2 2\"",
                                      "stroke-dasharray=\"8 3 2 3\""};
  auto index_of = [](const std::vector<double>& v, double x) {
    for (std::size_t i = 0; i < v.size(); ++i)
      if (v[i] == x) return i;
    return std::size_t{0};
  };
  std::string dots;
  std::size_t clipped = 0;
  o += "<g clip-path=\"url(#plot)\">\n";
  for (double d : sw.grid.reconnect_delays)
    for (double f : sw.grid.factors)
      for (double j : sw.grid.jitters) {
        std::string pts;
        const char* c = jitter_colors[index_of(sw.grid.jitters, j) % 8];
        for (const SweepPoint& p : sw.points) {
          if (p.backoff.reconnect_delay != d || p.backoff.backoff_factor != f ||
              p.backoff.jitter != j || !std::isfinite(p.worst_vs_ideal))
            continue;
          const double px = X(p.worst_vs_ideal);
          const double py = Y(p.worst_peak);
          if (p.worst_vs_ideal > xmax || p.worst_peak > ymax) ++clipped;
          pts += fmt("%.1f,%.1f ", px, py);
          dots +=
              fmt("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s: %.2f\u00d7 "
                  "ideal, %.2f\u00d7 capacity, %s attempts</title></circle>\n",
                  px, py, c, esc(backoff_label(p.backoff)).c_str(), p.worst_vs_ideal, p.worst_peak,
                  group(static_cast<std::uint64_t>(p.mean_attempts)).c_str());
        }
        if (pts.empty()) continue;
        o +=
            fmt("<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.3\" stroke-opacity=\"0.7\" "
                "%s points=\"%s\"/>\n",
                c, factor_dash[index_of(sw.grid.factors, f) % 4], pts.c_str());
      }
  o += dots;
  o += "</g>\n";

  // Cap labels along the pick's curve (or today's factor and jitter when there is no pick).
  const Backoff along =
      sw.pick >= 0 ? sw.validated[static_cast<std::size_t>(sw.pick)].backoff : default_backoff();
  const char* halo = "stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\" ";
  for (const SweepPoint& p : sw.points) {
    if (p.backoff.reconnect_delay != along.reconnect_delay ||
        p.backoff.backoff_factor != along.backoff_factor || p.backoff.jitter != along.jitter ||
        !std::isfinite(p.worst_vs_ideal))
      continue;
    o += text(X(std::min(p.worst_vs_ideal, xmax)) + 5, Y(std::min(p.worst_peak, ymax)) - 5,
              fmt("%.0f s", p.backoff.max_reconnect_delay / 1000),
              (std::string(halo) + "font-size=\"10\" fill=\"#333\"").c_str());
  }

  // The marked points.
  std::string off_chart;
  for (const SweepPoint& p : sw.marked) {
    const bool core = p.policy == Policy::kLifeline || p.policy == Policy::kLifelineProposed;
    std::string label = core ? (p.policy == Policy::kLifeline ? "default" : "before tuning")
                             : std::string(policy_name(p.policy));
    if (!std::isfinite(p.worst_vs_ideal) || p.worst_vs_ideal > xmax || p.worst_peak > ymax) {
      off_chart += label +
                   (std::isfinite(p.worst_vs_ideal)
                        ? fmt(" (%.2f\u00d7 ideal", p.worst_vs_ideal)
                        : fmt(" (never all back: %s stranded", group(p.worst_stranded).c_str())) +
                   fmt(", %.0f\u00d7 capacity)", p.worst_peak) + "; ";
      continue;
    }
    const double px = X(p.worst_vs_ideal), py = Y(p.worst_peak);
    const char* c = p.policy == Policy::kLifelineProposed ? "#b8860b"
                    : p.policy == Policy::kLifeline       ? "#000"
                                                          : "#555";
    if (p.policy == Policy::kLifelineProposed) {
      std::string star;
      for (int k = 0; k < 10; ++k) {
        const double a = -M_PI / 2 + k * M_PI / 5;
        const double r = k % 2 == 0 ? 11 : 4.5;
        star += fmt("%.1f,%.1f ", px + r * std::cos(a), py + r * std::sin(a));
      }
      o += fmt("<polygon points=\"%s\" fill=\"%s\" stroke=\"black\" stroke-width=\"0.8\"/>\n",
               star.c_str(), c);
    } else if (core) {
      o +=
          fmt("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"8\" fill=\"none\" stroke=\"%s\" "
              "stroke-width=\"2.5\"/>\n",
              px, py, c);
    } else {
      o +=
          fmt("<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"%s\" "
              "stroke=\"black\" stroke-width=\"0.8\"/>\n",
              px, py - 8, px + 8, py, px, py + 8, px - 8, py, c);
    }
    o += text(px + 12, py + 4,
              label + fmt(": %.2f\u00d7, %.2f\u00d7", p.worst_vs_ideal, p.worst_peak),
              (std::string(halo) + "font-weight=\"bold\" fill=\"" + c + "\"").c_str());
  }
  if (clipped > 0) off_chart += fmt("%zu grid points beyond the axes", clipped) + "; ";
  if (!off_chart.empty())
    o += text(x0, y1 + 56, "Off the chart: " + off_chart.substr(0, off_chart.size() - 2) + ".",
              "fill=\"#444\"");

  // Legend.
  double ly = y0 + 4;
  o += text(legend_x, ly, "jitter (colour)", "font-weight=\"bold\"");
  ly += 18;
  for (std::size_t i = 0; i < sw.grid.jitters.size(); ++i) {
    o += line(legend_x, ly - 4, legend_x + 26, ly - 4,
              (std::string("stroke=\"") + jitter_colors[i % 8] + "\" stroke-width=\"3\"").c_str());
    o += text(legend_x + 34, ly, fmt("%g", sw.grid.jitters[i]));
    ly += 18;
  }
  ly += 8;
  o += text(legend_x, ly, "factor (dash)", "font-weight=\"bold\"");
  ly += 18;
  for (std::size_t i = 0; i < sw.grid.factors.size(); ++i) {
    o +=
        fmt("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\" "
            "stroke-width=\"1.5\" %s/>\n",
            legend_x, ly - 4, legend_x + 26, ly - 4, factor_dash[i % 4]);
    o += text(legend_x + 34, ly, fmt("%g^n", sw.grid.factors[i]));
    ly += 18;
  }
  ly += 8;
  o += text(legend_x, ly, "caps (along each line)", "font-weight=\"bold\"");
  ly += 18;
  std::string caps;
  for (double c : sw.grid.caps)
    caps += fmt("%s%g", caps.empty() ? "" : ", ", c / 1000);
  o += text(legend_x, ly, caps + " s", "font-size=\"11\"");
  ly += 16;
  o += text(legend_x, ly,
            fmt("reconnect delay %s s",
                [&] {
                  std::string d;
                  for (double v : sw.grid.reconnect_delays)
                    d += fmt("%s%g", d.empty() ? "" : ", ", v / 1000);
                  return d;
                }()
                    .c_str()),
            "font-size=\"11\"");
  ly += 26;
  if (sw.pick >= 0) {
    o += text(legend_x, ly, "pick", "font-weight=\"bold\"");
    ly += 16;
    const SweepPoint& p = sw.validated[static_cast<std::size_t>(sw.pick)];
    o += text(legend_x, ly, backoff_label(p.backoff), "font-size=\"11\"");
    ly += 15;
    o += text(legend_x, ly,
              fmt("%.2f\u00d7 ideal, %.2f\u00d7 capacity (%d seeds)", p.worst_vs_ideal,
                  p.worst_peak, p.seeds),
              "font-size=\"11\"");
    ly += 15;
    o += text(legend_x, ly,
              fmt("%s attempts", group(static_cast<std::uint64_t>(p.mean_attempts)).c_str()),
              "font-size=\"11\"");
    ly += 24;
  }
  o += text(legend_x, ly, "marked (worst of validation seeds)", "font-weight=\"bold\"");
  ly += 16;
  for (const SweepPoint& p : sw.marked) {
    o += text(legend_x, ly, point_name(p), "font-size=\"11\"");
    ly += 15;
  }
  o += "</svg>\n";
  return o;
}

// ---------------------------------------------------------------------------------------------
// --hint

std::string hint_label(Drop drop, double headroom) {
  switch (drop) {
    case Drop::kRestartHint:
      return headroom == 0 ? "restart_hint(): shared (the core's)"
                           : fmt("shared hint, headroom %.2f", headroom);
    case Drop::kRestartSlots:
      return headroom == 0 ? "restart_slot_hint(): a slot each (core)"
                           : fmt("a slot per client, headroom %.2f", headroom);
    case Drop::kRestartNoHint:
      return "1012 without a hint";
    case Drop::kAbnormal:
      return "1006 (no word)";
  }
  return "?";
}

namespace {

bool hint_meets(const SweepPoint& p, const HintGoal& g) {
  return p.worst_vs_ideal <= g.vs_ideal && p.worst_peak <= g.peak;
}

}  // namespace

std::string format_hint(const HintSweep& h) {
  const Scenario& s = h.scenario;
  std::string out;
  out += fmt(
      "Announced restart: %s clients closed at t = 0 with 1012 and a retry hint; the server is "
      "back at %.0f s\naccepting %s/s (one-second windows; the excess refused at once, and then "
      "the client's backoff). Clients:\nlifeline::Connection with the default config. Goal: all "
      "back within %.1f\u00d7 the ideal (%s) and never more\nthan %.1f\u00d7 capacity (%.0f "
      "attempts) in a 100 ms bin. Worst over %d seeds (mean in brackets). The core's\n"
      "kHintHeadroom (a slot each) is %.2f.\n\n",
      group(s.clients).c_str(), s.outage_ms / 1000,
      group(static_cast<std::uint64_t>(s.capacity_per_s)).c_str(), h.goal.vs_ideal,
      seconds(s.ideal_ms()).c_str(), h.goal.peak, h.goal.peak * capacity_per_bin(s), h.seeds,
      h.core_headroom);
  out += pad("close", 36, true) + " " + pad("reason (client 0)", 32, true) + " " +
         pad("vs ideal", 18) + " " + pad("peak", 16) + " " + pad("attempts", 9) + " " +
         pad("refused", 8) + "  goal\n";
  out += std::string(130, '-') + "\n";
  for (const HintRow& r : h.rows) {
    const SweepPoint& p = r.figures;
    out += pad(hint_label(r.drop, r.headroom), 36, true) + " " +
           pad(r.reason.empty() ? "\"\"" : r.reason, 32, true) + " " +
           pad(times(p.worst_vs_ideal, 3) + " (" + times(p.mean_vs_ideal, 3) + ")", 18) + " " +
           pad(times(p.worst_peak) + " (" + times(p.mean_peak) + ")", 16) + " " +
           pad(group(static_cast<std::uint64_t>(p.mean_attempts)), 9) + " " +
           pad(group(static_cast<std::uint64_t>(std::max(0.0, p.mean_attempts - s.clients))), 8) +
           "  " + (hint_meets(p, h.goal) ? "yes" : "no") + "\n";
  }
  out +=
      fmt("  attempts: mean over the seeds; refused = attempts - clients. %llu runs in %.1f "
          "s.\n",
          static_cast<unsigned long long>(h.runs), h.wall_ms / 1000);
  return out;
}

std::string hint_json(const HintSweep& h) {
  std::string o = "{\n  \"benchmark\": \"lifeline_herd --hint\",\n";
  Scenario s = h.scenario;
  o += "  \"scenario\": " + scenario_json(s) + ",\n";
  o += fmt("  \"goal\": {\"vs_ideal\": %s, \"peak_vs_capacity\": %s},\n",
           num(h.goal.vs_ideal).c_str(), num(h.goal.peak).c_str());
  o += fmt("  \"seeds\": %d,\n  \"core_headroom\": %s,\n", h.seeds, num(h.core_headroom).c_str());
  o += "  \"rows\": [\n";
  for (std::size_t i = 0; i < h.rows.size(); ++i) {
    const HintRow& r = h.rows[i];
    const char* drop = r.drop == Drop::kRestartHint    ? "hint"
                       : r.drop == Drop::kRestartSlots ? "slots"
                                                       : "no-hint";
    std::string p = point_json(r.figures, SweepGoal{}, false);
    // point_json's goal fields are the sweep's: replace them with this goal's verdict.
    p = p.substr(0, p.find(", \"meets_goal\""));
    o += "    {\"drop\": " + str(drop) + ", \"label\": " + str(hint_label(r.drop, r.headroom)) +
         ", \"headroom\": " + num(r.used_headroom) + ", \"core\": " + (r.core ? "true" : "false") +
         ", \"reason\": " + str(r.reason) + ", " + p.substr(1) +
         ", \"meets_goal\": " + (hint_meets(r.figures, h.goal) ? "true" : "false") + "}" +
         (i + 1 < h.rows.size() ? ",\n" : "\n");
  }
  o += fmt("  ],\n  \"runs\": %llu,\n  \"wall_ms\": %s\n}\n",
           static_cast<unsigned long long>(h.runs), num(std::round(h.wall_ms)).c_str());
  return o;
}

// Two panels: left, the trade-off (x = vs ideal, y = peak, worst over the seeds) with the goal;
// right, attempts per 100 ms around the return for one seed of a few rows.
std::string hint_svg(const HintSweep& h, const std::vector<Result>& examples) {
  const Scenario& s = h.scenario;
  const double W = 1120, H = 620;
  std::string o;
  o +=
      fmt("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
          "viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" "
          "font-size=\"12\">\n",
          W, H, W, H);
  o += fmt("<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"white\"/>\n", W, H);
  o += text(70, 28,
            fmt("Announced restart: %s clients closed with 1012 + retry hint; server back at %.0f "
                "s accepting %s/s",
                group(s.clients).c_str(), s.outage_ms / 1000,
                group(static_cast<std::uint64_t>(s.capacity_per_s)).c_str()),
            "font-size=\"16\" font-weight=\"bold\"");
  o += text(70, 48,
            fmt("Left: worst of %d seeds per row. Right: attempts per 100 ms, seed %llu. Clients: "
                "lifeline::Connection, default config.",
                h.seeds, static_cast<unsigned long long>(s.seed)),
            "fill=\"#444\"");
  const char* grid = "stroke=\"#e3e3e3\" stroke-width=\"1\"";
  const char* axis = "stroke=\"#333\" stroke-width=\"1\"";
  const char* halo = "stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\" ";

  // Left panel.
  {
    const double x0 = 70, x1 = 520, y0 = 80, y1 = 540;
    const double xmin = 0.9, xmax = 1.8, ymin = 0.6, ymax = 1.6;
    auto X = [&](double v) { return x0 + (x1 - x0) * (std::min(v, xmax) - xmin) / (xmax - xmin); };
    auto Y = [&](double v) { return y1 - (y1 - y0) * (std::min(v, ymax) - ymin) / (ymax - ymin); };
    o +=
        fmt("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#2ca02c\" "
            "fill-opacity=\"0.15\"/>\n",
            X(xmin), Y(h.goal.peak), X(h.goal.vs_ideal) - X(xmin), Y(ymin) - Y(h.goal.peak));
    o += text(X(xmin) + 6, Y(ymin) - 8,
              fmt("goal: \u2264 %.1f\u00d7 ideal, \u2264 %.1f\u00d7 capacity", h.goal.vs_ideal,
                  h.goal.peak),
              "fill=\"#1a6e1a\" font-weight=\"bold\"");
    for (double v = 1.0; v <= xmax + 1e-9; v += 0.1) {
      o += line(X(v), y0, X(v), y1, grid);
      o += text(X(v), y1 + 17, fmt("%.1f\u00d7", v), "text-anchor=\"middle\"");
    }
    for (double v = 0.6; v <= ymax + 1e-9; v += 0.1) {
      o += line(x0, Y(v), x1, Y(v), grid);
      o += text(x0 - 8, Y(v) + 4, fmt("%.1f\u00d7", v), "text-anchor=\"end\"");
    }
    o += line(x0, y0, x0, y1, axis) + line(x0, y1, x1, y1, axis);
    o += text((x0 + x1) / 2, y1 + 36, "all back after the return, vs ideal",
              "text-anchor=\"middle\"");
    o +=
        fmt("<text transform=\"translate(22 %.1f) rotate(-90)\" text-anchor=\"middle\">peak "
            "attempts per 100 ms, vs capacity</text>\n",
            (y0 + y1) / 2);
    std::string shared;
    int shared_rows = 0;
    for (const HintRow& r : h.rows) {
      const SweepPoint& p = r.figures;
      if (!std::isfinite(p.worst_vs_ideal)) continue;
      const double px = X(p.worst_vs_ideal), py = Y(p.worst_peak);
      const bool clipped = p.worst_vs_ideal > xmax || p.worst_peak > ymax;
      const char* c = r.core                          ? "#b8860b"
                      : r.drop == Drop::kRestartSlots ? "#1f77b4"
                      : r.drop == Drop::kRestartHint  ? "#555"
                                                      : "#d62728";
      if (r.drop == Drop::kRestartHint) shared += fmt("%.1f,%.1f ", px, py);
      o +=
          fmt("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" fill=\"%s\" stroke=\"black\" "
              "stroke-width=\"0.6\"/>\n",
              px, py, r.core ? 7 : 4, c);
      std::string label = r.drop == Drop::kRestartHint
                              ? fmt("%.2f", r.used_headroom) + (r.core ? " (core)" : "")
                          : r.drop == Drop::kRestartSlots ? fmt("slots %.2f", r.used_headroom)
                                                          : "no hint";
      if (clipped) label += fmt(" (%.2f\u00d7, %.2f\u00d7)", p.worst_vs_ideal, p.worst_peak);
      const bool below = r.drop == Drop::kRestartHint && (++shared_rows % 2 == 0);
      o += text(px + 8, below ? py + 15 : py - 6, label,
                (std::string(halo) + "font-size=\"11\" fill=\"" + c + "\"").c_str());
    }
    (void)shared;
  }

  // Right panel: attempts per 100 ms from 5 s before the return to 25 s after it.
  {
    const double x0 = 600, x1 = 1090, y0 = 80, y1 = 540;
    const double t0 = s.outage_ms - 5000, t1 = s.outage_ms + 25000;
    const double cap = capacity_per_bin(s);
    const double ymax = cap * 2;
    auto X = [&](double t) { return x0 + (x1 - x0) * (t - t0) / (t1 - t0); };
    auto Y = [&](double n) { return y1 - (y1 - y0) * std::min(n, ymax) / ymax; };
    for (double t = t0; t <= t1 + 1; t += 5000) {
      o += line(X(t), y0, X(t), y1, grid);
      o += text(X(t), y1 + 17, fmt("%.0f", t / 1000), "text-anchor=\"middle\"");
    }
    for (double n = 0; n <= ymax + 1e-9; n += cap / 4) {
      o += line(x0, Y(n), x1, Y(n), grid);
      o += text(x0 - 6, Y(n) + 4, fmt("%.0f", n), "text-anchor=\"end\"");
    }
    o += line(x0, y0, x0, y1, axis) + line(x0, y1, x1, y1, axis);
    o += text((x0 + x1) / 2, y1 + 36, "time since the close (s)", "text-anchor=\"middle\"");
    o += line(x0, Y(cap), x1, Y(cap),
              "stroke=\"#000\" stroke-width=\"1.2\" stroke-dasharray=\"2 3\"");
    o += line(x0, Y(cap * h.goal.peak), x1, Y(cap * h.goal.peak),
              "stroke=\"#2ca02c\" stroke-width=\"1.2\" stroke-dasharray=\"6 3\"");
    o += text(x1 - 4, Y(cap) - 5, fmt("capacity %.0f / 100 ms", cap),
              (std::string(halo) + "text-anchor=\"end\"").c_str());
    o += text(x1 - 4, Y(cap * h.goal.peak) - 5, fmt("goal %.1f\u00d7", h.goal.peak),
              (std::string(halo) + "text-anchor=\"end\" fill=\"#1a6e1a\"").c_str());
    double ly = y0 + 14;
    for (const Result& r : examples) {
      const bool core = r.scenario.drop == Drop::kRestartSlots && r.scenario.hint_headroom == 0;
      const char* c = core                                     ? "#b8860b"
                      : r.scenario.drop == Drop::kRestartSlots ? "#1f77b4"
                                                               : "#d62728";
      std::string pts;
      for (std::size_t i = 0; i < r.attempts_per_bin.size(); ++i) {
        const double t = static_cast<double>(i) * kBinMs;
        if (t < t0 || t + kBinMs > t1) continue;
        const double v = r.attempts_per_bin[i];
        pts += fmt("%.1f,%.1f %.1f,%.1f ", X(t), Y(v), X(t + kBinMs), Y(v));
      }
      o += fmt("<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.3\" points=\"%s\"/>\n", c,
               pts.c_str());
      o += text(
          x0 + 10, ly,
          hint_label(r.scenario.drop, r.scenario.hint_headroom) +
              fmt(": %.2f\u00d7 ideal, peak %.2f\u00d7", vs_ideal(r), peak_vs_capacity(r)),
          (std::string(halo) + "font-size=\"11\" font-weight=\"bold\" fill=\"" + c + "\"").c_str());
      ly += 16;
    }
  }
  o += "</svg>\n";
  return o;
}

}  // namespace herd
