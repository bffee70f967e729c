// The herd's outputs: the tables on stdout, the JSON for BENCHMARKS.md, and a hand-written SVG.
#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <string>
#include <vector>

#include "herd.hpp"

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
  out +=
      "ws-lifeline alone, the same scenario scaled (capacity scaled with the clients, so the "
      "shape is the same):\n";
  out += fmt("%10s %11s %12s %12s %12s %10s %10s %11s %10s %8s %9s\n", "clients", "capacity/s",
             "events", "core inputs", "attempts", "setup ms", "run ms", "ns/client", "ns/event",
             "back@2m", "all back");
  out += std::string(121, '-') + "\n";
  for (const Result& r : scaling) {
    const double total_ms = r.setup_wall_ms + r.run_wall_ms;
    out += fmt("%10s %11s %12s %12s %12s %10.1f %10.1f %11.0f %10.0f %8s %9s\n",
               group(r.scenario.clients).c_str(),
               group(static_cast<std::uint64_t>(r.scenario.capacity_per_s)).c_str(),
               group(r.events).c_str(), group(r.core_inputs).c_str(), group(r.attempts).c_str(),
               r.setup_wall_ms, r.run_wall_ms, total_ms * 1e6 / r.scenario.clients,
               r.run_wall_ms * 1e6 / static_cast<double>(r.events),
               percent(r.share(r.back_by_2m)).c_str(),
               r.all_back() ? seconds(r.last_back_ms).c_str() : "never");
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
                    bool scaled_capacity) {
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

}  // namespace herd
