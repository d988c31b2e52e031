#include "src/harness/report.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "src/core/status_macros.h"
#include "src/harness/figures.h"
#include "src/io/atomic_file.h"

namespace initrepro {
namespace {

std::string Html(const std::string& s) {
  return absl::StrReplaceAll(s, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}});
}

std::string ObservedText(const nlohmann::json& observed) {
  std::string out;
  for (auto it = observed.begin(); it != observed.end(); ++it) {
    if (!out.empty()) out += ", ";
    if (it.value().is_number_float()) {
      absl::StrAppend(&out, it.key(), " = ",
                      absl::StrFormat("%.4g", it.value().get<double>()));
    } else {
      absl::StrAppend(&out, it.key(), " = ", it.value().dump());
    }
  }
  return out;
}

// The lines of one claim in the report, label -> text (PAPER.md v2: the
// effect with its interval, valid and planned runs, the reason and the way
// forward of an undecided verdict).
std::vector<std::pair<std::string, std::string>> ClaimItems(
    const nlohmann::json& c) {
  auto num = [](const nlohmann::json& v) {
    return v.is_number()   ? absl::StrFormat("%.4g", v.get<double>())
           : v.is_string() ? v.get<std::string>()
                           : std::string("undefined");
  };
  std::vector<std::pair<std::string, std::string>> items;
  items.push_back({"Paper", c.value("statement", "")});
  items.push_back({"Rule", c.value("rule", "")});
  if (c.contains("effect") && c["effect"].is_object()) {
    const nlohmann::json& e = c["effect"];
    items.push_back(
        {"Effect",
         absl::StrCat(e.value("statistic", ""), " ", num(e["estimate"]),
                      ", 99 % interval [", num(e["low"]), ", ", num(e["high"]),
                      "], n = ", e.value("n", 0), " ", e.value("unit", ""),
                      e.contains("group")
                          ? absl::StrCat(" (", e["group"].get<std::string>(), ")")
                          : "")});
  }
  if (c.contains("runs") && c["runs"].is_object()) {
    std::string excluded;
    for (auto it = c["runs"]["excluded"].begin();
         it != c["runs"]["excluded"].end(); ++it)
      absl::StrAppend(&excluded, excluded.empty() ? "" : ", ", it.key(), " ",
                      it.value().dump());
    items.push_back({"Runs", absl::StrCat(c["runs"].value("valid", 0),
                                          " valid of ",
                                          c["runs"].value("planned", 0),
                                          " planned; excluded: ",
                                          excluded.empty() ? "none" : excluded)});
  }
  items.push_back({"Observed", ObservedText(c["observed"])});
  items.push_back(
      {"Verdict", absl::StrCat(c.value("verdict", ""),
                               c.value("reconstructed", false)
                                   ? " (setup reconstructed: P2's body is "
                                     "unavailable)"
                                   : "")});
  if (c.contains("reason")) items.push_back({"Why", c["reason"].get<std::string>()});
  if (c.contains("to_decide") && c["to_decide"].is_object())
    items.push_back(
        {"To decide",
         absl::StrCat("`", c["to_decide"].value("command", ""), "` (~",
                      num(c["to_decide"]["core_hours"]), " core-hours)")});
  items.push_back({"Design", c.value("design", "")});
  return items;
}

}  // namespace

std::string VerdictTable(const std::vector<nlohmann::json>& results) {
  // Columns as wide as their longest entry, so every row lines up; under an
  // undecided claim, why and what would decide it.
  auto num = [](const nlohmann::json& v) {
    return v.is_number()   ? absl::StrFormat("%.3g", v.get<double>())
           : v.is_string() ? v.get<std::string>()
                           : std::string("undef");
  };
  auto effect_text = [&](const nlohmann::json& c) -> std::string {
    if (!c.contains("effect") || !c["effect"].is_object()) return "-";
    const nlohmann::json& e = c["effect"];
    return absl::StrCat(e.value("statistic", ""), " ", num(e["estimate"]),
                        " [", num(e["low"]), ", ", num(e["high"]), "]");
  };
  auto runs_text = [](const nlohmann::json& c) -> std::string {
    if (!c.contains("runs") || !c["runs"].is_object()) return "";
    return absl::StrCat(c["runs"].value("valid", 0), "/",
                        c["runs"].value("planned", 0));
  };
  size_t cw = 5, vw = 7, ew = 22;
  for (const auto& r : results) {
    for (const auto& c : r["claims"]) {
      cw = std::max(cw, c["id"].get<std::string>().size());
      vw = std::max(vw, c["verdict"].get<std::string>().size() +
                            (c.value("reconstructed", false) ? 12 : 0));
      ew = std::max(ew, effect_text(c).size());
    }
  }
  const int icw = static_cast<int>(cw), ivw = static_cast<int>(vw),
            iew = static_cast<int>(ew);
  std::string out =
      absl::StrFormat("%-*s  %-*s  %-*s  %s\n", icw, "claim", ivw, "verdict",
                      iew, "effect [99 % interval]", "valid/planned runs");
  for (const auto& r : results) {
    for (const auto& c : r["claims"]) {
      std::string verdict = c["verdict"].get<std::string>();
      if (c.value("reconstructed", false)) verdict += " (reconstr.)";
      absl::StrAppend(&out, absl::StrFormat("%-*s  %-*s  %-*s  %s\n", icw,
                                            c["id"].get<std::string>(), ivw,
                                            verdict, iew, effect_text(c),
                                            runs_text(c)));
      if (c["verdict"] == "undecided_at_this_scale" && c.contains("reason"))
        absl::StrAppend(&out, "    why: ", c["reason"].get<std::string>(),
                        "\n");
      if (c.contains("to_decide") && c["to_decide"].is_object())
        absl::StrAppend(&out, "    to decide: ",
                        c["to_decide"].value("command", ""), " (~",
                        num(c["to_decide"]["core_hours"]), " core-hours)\n");
    }
  }
  return out;
}

absl::Status WriteReport(const std::vector<nlohmann::json>& results,
                         const std::vector<std::string>& golden_match,
                         const std::string& dir) {
  RETURN_IF_ERROR(MakeDirs(dir + "/figures"));
  std::string md = "# initrepro report\n\n";
  std::string html =
      "<!doctype html><html><head><meta charset='utf-8'><title>initrepro "
      "report</title><style>body{font-family:sans-serif;max-width:1000px;"
      "margin:auto}table{border-collapse:collapse}td,th{border:1px solid "
      "#ccc;padding:4px}.reproduced{background:#dfd}.not_reproduced{"
      "background:#fdd}.undecided_at_this_scale{background:#ffd}</style>"
      "</head><body><h1>initrepro report</h1>\n";
  absl::StrAppend(&md, "## Verdicts\n\n| experiment | tier | claim | verdict "
                       "| numbers | golden |\n|---|---|---|---|---|---|\n");
  absl::StrAppend(&html, "<h2>Verdicts</h2><table><tr><th>experiment</th><th>"
                         "tier</th><th>claim</th><th>verdict</th><th>numbers"
                         "</th><th>golden</th></tr>\n");
  for (size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    for (const auto& c : r["claims"]) {
      std::string verdict = c["verdict"].get<std::string>();
      const std::string shown =
          c["reconstructed"].get<bool>() ? verdict + " (reconstructed)" : verdict;
      const std::string golden = i < golden_match.size() ? golden_match[i] : "";
      absl::StrAppend(&md, "| ", r["experiment"].get<std::string>(), " | ",
                      r["tier"].get<std::string>(), " | ",
                      c["id"].get<std::string>(), " | **", shown, "** | ",
                      ObservedText(c["observed"]), " | ", golden, " |\n");
      absl::StrAppend(&html, "<tr class='", verdict, "'><td>",
                      Html(r["experiment"]), "</td><td>", Html(r["tier"]),
                      "</td><td>", Html(c["id"]), "</td><td><b>", Html(shown),
                      "</b></td><td>", Html(ObservedText(c["observed"])),
                      "</td><td>", Html(golden), "</td></tr>\n");
    }
  }
  absl::StrAppend(&html, "</table>\n");
  for (size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    const std::string name = r["experiment"];
    ASSIGN_OR_RETURN(std::vector<std::string> stems,
                     RenderFigures(r, dir + "/figures"));
    absl::StrAppend(&md, "\n## ", name, " (", r["tier"].get<std::string>(),
                    " tier)\n\n", r["description"].get<std::string>(), "\n\n",
                    "Runs: ", r["num_runs"].dump(), " (diverged: ",
                    r["num_diverged"].dump(), ")\n\n");
    absl::StrAppend(&html, "<h2>", Html(name), " (", Html(r["tier"]),
                    " tier)</h2><p>", Html(r["description"]), "</p><p>Runs: ",
                    r["num_runs"].dump(), " (diverged: ",
                    r["num_diverged"].dump(), ")</p>\n");
    for (const auto& c : r["claims"]) {
      const std::vector<std::pair<std::string, std::string>> items =
          ClaimItems(c);
      absl::StrAppend(&md, "### ", c["id"].get<std::string>(), "\n\n");
      absl::StrAppend(&html, "<h3>", Html(c["id"]), "</h3><ul>");
      for (const auto& [label, text] : items) {
        absl::StrAppend(&md, "- ", label, ": ", text, "\n");
        absl::StrAppend(&html, "<li>", Html(label), ": ", Html(text), "</li>");
      }
      absl::StrAppend(&md, "\n");
      absl::StrAppend(&html, "</ul>\n");
    }
    for (const std::string& stem : stems) {
      absl::StrAppend(&md, "![", stem, "](figures/", stem, ".png)\n\n");
      absl::StrAppend(&html, "<p><img src='figures/", stem,
                      ".svg' width='900'></p>\n");
    }
    if (!r["notes"].empty()) {
      absl::StrAppend(&md, "Notes:\n\n");
      absl::StrAppend(&html, "<p>Notes:</p><ul>");
      for (const auto& n : r["notes"]) {
        absl::StrAppend(&md, "- ", n.get<std::string>(), "\n");
        absl::StrAppend(&html, "<li>", Html(n), "</li>");
      }
      absl::StrAppend(&md, "\n");
      absl::StrAppend(&html, "</ul>\n");
    }
  }
  absl::StrAppend(&html, "</body></html>\n");
  RETURN_IF_ERROR(WriteFileAtomic(dir + "/report.md", md));
  return WriteFileAtomic(dir + "/report.html", html);
}

}  // namespace initrepro
