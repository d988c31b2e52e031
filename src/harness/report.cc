#include "src/harness/report.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <limits>
#include <optional>
#include <regex>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "cmark-gfm-core-extensions.h"
#include "cmark-gfm-extension_api.h"
#include "cmark-gfm.h"
#include "src/core/status_macros.h"
#include "src/harness/claims_doc.h"
#include "src/harness/figures.h"
#include "src/harness/report_data.h"
#include "src/harness/result.h"
#include "src/harness/verdict_table.h"
#include "src/io/atomic_file.h"
#include "src/io/subprocess.h"

namespace initrepro {
namespace {

constexpr char kP1Url[] = "https://arxiv.org/abs/2405.17420";
constexpr char kP2Url[] =
    "https://openreview.net/search?term=Interpretable+Patterns+in+Random+"
    "Initialization+Unveil+Final+Representation";
constexpr char kP1Code[] =
    "https://github.com/carlguo866/circle-survival/blob/main/";
const char* const kStatusTiers[] = {"ci", "nightly", "paper"};

// Markdown table cells: no newline, no unescaped pipe.
std::string Cell(const std::string& s) {
  return absl::StrReplaceAll(s, {{"|", "\\|"}, {"\n", " "}});
}

// An observed value as a reader wants it: numbers to 3 significant
// digits, objects as "key = value" (nested in parentheses), lists in
// brackets, true/false as yes/no.
std::string ObservedValue(const nlohmann::json& v) {
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
  if (v.is_number()) return absl::StrFormat("%.3g", v.get<double>());
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "-";
  if (v.is_array()) {
    std::vector<std::string> parts;
    for (const auto& e : v) parts.push_back(ObservedValue(e));
    return absl::StrCat("[", absl::StrJoin(parts, ", "), "]");
  }
  std::vector<std::string> parts;
  for (auto it = v.begin(); it != v.end(); ++it)
    parts.push_back(absl::StrCat(it.key(), " = ", ObservedValue(it.value())));
  return absl::StrCat("(", absl::StrJoin(parts, ", "), ")");
}

std::string ObservedText(const nlohmann::json& observed) {
  if (!observed.is_object()) return ObservedValue(observed);
  std::vector<std::string> parts;
  for (auto it = observed.begin(); it != observed.end(); ++it)
    parts.push_back(absl::StrCat(it.key(), " = ", ObservedValue(it.value())));
  return absl::StrJoin(parts, "; ");
}

std::string EffectText(const Claim& c) {
  if (!c.effect.is_object()) return "";
  return EffectShort(c);
}

std::string VerdictWords(const std::string& v) { return VerdictWord(v); }

// "~0.23 core-hours", "~1815 core-hours" (never 1.82e+03), "-" unknown.
std::string CoreHours(const nlohmann::json& to_decide) {
  // No design is known to decide it (ClaimSpec::validity_finding).
  if (to_decide.is_object() && to_decide.value("no_design_known", false))
    return absl::StrCat("no run count or tier known to help: ",
                        to_decide.value("why", ""));
  // The planner found no design under its cap: say that, not a cost.
  if (to_decide.is_object() &&
      to_decide.contains("not_decidable_below_core_hours") &&
      to_decide["not_decidable_below_core_hours"].is_number())
    return absl::StrFormat(
        "not decidable below %.0f core-hours",
        to_decide["not_decidable_below_core_hours"].get<double>());
  if (!to_decide.is_object() || !to_decide.contains("core_hours") ||
      !to_decide["core_hours"].is_number())
    return "- core-hours";
  const double h = to_decide["core_hours"].get<double>();
  // Goldens round to 0.01 core-hours: "~0" read as free.
  if (h < 0.01) return "< 0.01 core-hours";
  return h >= 10 ? absl::StrFormat("~%.0f core-hours", h)
                 : absl::StrFormat("~%.2g core-hours", h);
}

// Statistic names as the status table abbreviates them.
std::string StatShort(const std::string& s) {
  if (s == "Pearson r") return "r";
  if (s == "Spearman rho") return "rho";
  if (s == "mean paired difference") return "paired diff.";
  if (s == "difference of means") return "diff. of means";
  if (s == "fraction of units above 0.5") return "frac. > 0.5";
  if (s == "odds ratio") return "OR";
  return s;
}

// The estimate lies outside its own interval: a perfect Spearman rho
// (the interval of the nearest attainable rho; footnote in the table).
bool EstimateOutside(const Claim& c) {
  const auto e = EffectNumber(c, "estimate"), lo = EffectNumber(c, "low"),
             hi = EffectNumber(c, "high");
  return e && lo && hi && (*e < *lo || *e > *hi);
}

// The effect of one cell, short: "r 0.79 [0.613, 0.891]"; "undefined"
// when the statistic is; "" without an effect.
std::string EffectCell(const Claim& c) {
  if (!c.effect.is_object()) return "";
  const std::string stat =
      StatShort(c.effect.value("statistic", std::string("effect")));
  const auto e = EffectNumber(c, "estimate"), lo = EffectNumber(c, "low"),
             hi = EffectNumber(c, "high");
  auto num = [](const std::optional<double>& v) {
    if (!v) return std::string("undefined");
    if (std::isinf(*v)) return std::string(*v > 0 ? "inf" : "-inf");
    return absl::StrFormat("%.3g", *v);
  };
  if (!e && !lo && !hi) return absl::StrCat(stat, " undefined");
  return absl::StrCat(stat, " ", num(e), EstimateOutside(c) ? "<sup>†</sup>" : "",
                      " [", num(lo), ", ", num(hi), "]");
}

// "(it reaches 21.3)" names the claim's threshold without saying so.
std::string ReasonText(const std::string& reason) {
  static const std::regex kReaches("\\(it reaches ([^)]+)\\)");
  return std::regex_replace(
      reason, kReaches,
      "(it reaches $1, the claim's threshold: *not reproduced* needs the "
      "whole interval on the wrong side of it)");
}

const nlohmann::json* Found(const ReportInputs& in, const std::string& experiment,
                            const std::string& tier) {
  auto e = in.by_tier.find(experiment);
  if (e == in.by_tier.end()) return nullptr;
  auto t = e->second.find(tier);
  return t == e->second.end() ? nullptr : &t->second;
}

std::string Origin(const ReportInputs& in, const std::string& experiment,
                   const std::string& tier) {
  auto e = in.by_tier_origin.find(experiment);
  if (e == in.by_tier_origin.end()) return "out";
  auto t = e->second.find(tier);
  return t == e->second.end() ? "out" : t->second;
}

std::string Hours(const ReportInputs& in, const std::string& experiment,
                  const std::string& tier) {
  auto e = in.core_hours.find(experiment);
  if (e == in.core_hours.end()) return "";
  auto t = e->second.find(tier);
  if (t == e->second.end()) return "";
  // Whole core-hours from 10 up (never "1.5e+02"), two places below.
  return t->second >= 10 ? absl::StrFormat("~%.0f core-h", t->second)
                         : absl::StrFormat("~%.2f core-h", t->second);
}

// CSS class of a verdict (colour; the mark carries it in grey print).
std::string VerdictClass(const std::string& v) {
  if (v == "reproduced") return "v-yes";
  if (v == "not_reproduced") return "v-no";
  if (v == "descriptive") return "v-desc";
  return "v-open";
}

// One status-table cell: a tier's verdict of one claim, its effect, and
// its reason code with valid / planned runs.
std::string StatusCell(const ReportInputs& in, const std::vector<VerdictRow>& rows,
                       const std::string& experiment, const std::string& claim_id,
                       const std::string& tier) {
  const nlohmann::json* r = Found(in, experiment, tier);
  if (r == nullptr) {
    const std::string h = Hours(in, experiment, tier);
    return absl::StrCat("<span class=\"v-none\">not run</span>",
                        h.empty() ? "" : absl::StrCat("<br><small>", h, "</small>"));
  }
  if (!DisplayableResult(*r))
    return absl::StrCat("<span class=\"v-none\" title=\"result format 1: re-run repro run ",
                        experiment, " --tier=", tier,
                        "\">stale format</span><br><small>re-run</small>");
  for (const VerdictRow& row : rows) {
    if (row.experiment != experiment || row.tier != tier || row.claim != claim_id)
      continue;
    const Claim& c = row.typed;
    const std::string& v = c.verdict;
    std::string cell = absl::StrCat("<span class=\"", VerdictClass(v), "\">",
                                    VerdictMark(v), " ", VerdictWords(v), "</span>");
    const std::string effect = EffectCell(c);
    if (!effect.empty()) absl::StrAppend(&cell, "<br>", effect);
    std::vector<std::string> small;
    const std::string& code = row.reason_code;
    if (code != "decided" && code != "descriptive") small.push_back(code);
    if (c.runs.is_object())
      small.push_back(absl::StrCat(c.runs.value("valid", 0), "/",
                                   c.runs.value("planned", 0), " runs"));
    if (!small.empty())
      absl::StrAppend(&cell, "<br><small>", absl::StrJoin(small, " · "), "</small>");
    return cell;
  }
  return "<span class=\"v-none\">not in this tier</span>";
}

struct Counts {
  int reproduced = 0, not_reproduced = 0, undecided = 0, descriptive = 0;
  int reconstructed = 0, claims = 0;
  std::set<std::string> experiments;
  std::map<std::string, int> reasons;  // undecided claims by reason code
};

// Counts over the verdict rows of one tier: the same rows the status
// table shows (one per claim found at that tier).
Counts CountTier(const std::vector<VerdictRow>& rows, const std::string& tier) {
  Counts n;
  for (const VerdictRow& row : rows) {
    if (row.tier != tier) continue;
    ++n.claims;
    n.experiments.insert(row.experiment);
    const std::string& v = row.verdict;
    if (v == "reproduced") ++n.reproduced;
    else if (v == "not_reproduced") ++n.not_reproduced;
    else if (v == "descriptive") ++n.descriptive;
    else {
      ++n.undecided;
      ++n.reasons[row.reason_code];
    }
    if (row.typed.reconstructed) ++n.reconstructed;
  }
  return n;
}

// stdout of `git ARGS` run in the working directory (no shell), trailing
// whitespace trimmed; "" when git is missing or fails (not a checkout).
std::string Git(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"git"};
  argv.insert(argv.end(), args.begin(), args.end());
  absl::StatusOr<std::string> out = RunProcessOk(argv);
  if (!out.ok()) return "";
  std::string text = std::move(*out);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::string CpuName() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (absl::StartsWith(line, "model name")) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  return "unknown CPU";
}

std::string Commit() {
  const std::string head = Git({"rev-parse", "--short=12", "HEAD"});
  if (head.empty()) return "unknown (not run inside a git checkout)";
  const std::string dirty = Git({"status", "--porcelain", "--untracked-files=no"});
  return absl::StrCat("`", head, "`", dirty.empty() ? "" : " with uncommitted changes");
}

std::string Today() {
  const std::time_t now = std::time(nullptr);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  return buffer;
}

// The commit as a plain hash for verdicts.csv ("-" outside a checkout).
std::string CommitHash() {
  static const std::string hash = [] {
    std::string c = Commit();
    if (!absl::StartsWith(c, "`")) return std::string("-");
    c = c.substr(1);
    return c.substr(0, c.find('`'));
  }();
  return hash;
}

std::string ClaimHeading(const std::string& id) { return id; }

// The report's tier first (when it is not a status column), then ci,
// nightly, paper.
std::vector<std::string> StatusColumns(const ReportInputs& in) {
  std::vector<std::string> columns;
  if (in.tier != "ci" && in.tier != "nightly" && in.tier != "paper")
    columns.push_back(in.tier);
  for (const char* t : kStatusTiers) columns.push_back(t);
  return columns;
}

// Where a tier's results come from: "this run", "committed goldens", or
// both.
std::string TierOrigin(const ReportInputs& in, const std::string& tier) {
  bool out = false, golden = false;
  for (const auto& [e, tiers] : in.by_tier) {
    if (!tiers.count(tier)) continue;
    (Origin(in, e, tier) == "golden" ? golden : out) = true;
  }
  if (out && golden) return "this run and committed goldens";
  if (golden) return "committed goldens";
  if (out) return tier == in.tier ? "this run" : "OUT/results";
  return "";
}

std::string ScaleOf(const ReportInputs& in, const std::string& tier) {
  std::vector<const nlohmann::json*> results;
  for (const auto& [e, tiers] : in.by_tier) {
    auto t = tiers.find(tier);
    if (t != tiers.end()) results.push_back(&t->second);
  }
  return TierScale(results);
}

std::string CountsLine(const Counts& n) {
  std::string line = absl::StrCat(n.claims, " claims: ", n.reproduced,
                                  " \u2714 reproduced, ", n.not_reproduced,
                                  " \u2718 not reproduced, ", n.undecided,
                                  " ? undecided");
  if (!n.reasons.empty()) {
    std::vector<std::pair<int, std::string>> parts;
    for (const auto& [code, k] : n.reasons) parts.push_back({-k, code});
    std::sort(parts.begin(), parts.end());
    std::vector<std::string> text;
    for (const auto& [k, code] : parts) text.push_back(absl::StrCat(code, " ", -k));
    absl::StrAppend(&line, " (", absl::StrJoin(text, ", "), ")");
  }
  absl::StrAppend(&line, ", ", n.descriptive, " ~ descriptive");
  return line;
}

// Title and the counts of every tier: the first lines of the report.
std::string Head(const ReportInputs& in, const std::vector<VerdictRow>& rows) {
  std::string md = absl::StrCat(
      "# Initial signals decide final representations: a reproduction "
      "report\n\n",
      "initrepro re-runs the experiments of two papers ([P1](", kP1Url,
      "), [P2](", kP2Url, "); [about this report](#about-this-report)) and "
      "decides each claim from a rule fixed before any run. This report's "
      "run: the **", in.tier, "** tier, commit ", Commit(), ". ");
  std::vector<std::string> golden_tiers;
  for (const std::string& t : TierOrder())
    if (t != in.tier && TierOrigin(in, t) == "committed goldens")
      golden_tiers.push_back(t);
  if (TierOrigin(in, in.tier) == "committed goldens")
    absl::StrAppend(&md, "No result of this tier is under --out: its column "
                         "is the committed goldens, drawn without training. ");
  if (!golden_tiers.empty())
    absl::StrAppend(&md, "The ", absl::StrJoin(golden_tiers, ", "),
                    golden_tiers.size() > 1 ? " results come" : " results come",
                    " from the committed goldens (`golden/*.TIER.json`), not from "
                    "this run.");
  absl::StrAppend(&md, "\n\n");
  // The counts of the status table's columns (the table shows every
  // claim found at any tier, each cell one (claim, tier)).
  for (const std::string& t : StatusColumns(in)) {
    const Counts n = CountTier(rows, t);
    if (n.claims == 0) continue;
    absl::StrAppend(&md, "- **", t, "** (", TierOrigin(in, t), "): ", CountsLine(n),
                    "\n");
  }
  absl::StrAppend(&md, "\n");
  return md;
}

std::pair<std::string, std::string> DependencyStatus(const ReportInputs& in,
                                                     const std::string& dep);
std::string NightlyHorizonClaim();

// Whether the nightly tier's verdicts reach P1's 30000 steps: a paragraph
// when any nightly result is found.
std::string HorizonParagraph(const ReportInputs& in) {
  bool nightly = false;
  for (const auto& [e, by] : in.by_tier) nightly = nightly || by.count("nightly");
  if (!nightly) return "";
  const std::string dep = NightlyHorizonClaim();
  if (dep.empty()) return "";
  const auto [verdict, text] = DependencyStatus(in, dep);
  return absl::StrCat(
      "**What a nightly verdict speaks for.** Nightly runs are shorter than "
      "P1's 30000 steps. A nightly verdict read off final survivor sets "
      "speaks for P1's runs only while ", dep,
      " (fresh runs trained to 30000 steps: is the survivor set at the "
      "nightly step count the final one?) is reproduced (PAPER.md "
      "\"Designs (v3)\", item 1). It is ", text, ".",
      verdict == "reproduced"
          ? ""
          : absl::StrCat(
                " Until it is, such a nightly verdict is about runs of the "
                "nightly step count, and each of those claims' sections ",
                in.tier == "nightly"
                    ? "says so."
                    : "in the nightly report (`tools/repro report "
                      "--tier=nightly`) says so."),
      "\n\n");
}

const std::map<std::string, std::vector<ClaimSpec>>& RegistrySpecs();
std::string StringAt(const nlohmann::json& j, const char* key);

// The nightly tier against the design card (issue 17, section 5; the
// claims ClaimSpec::design_card marks): how many of them the nightly
// results decide, each undecided one with its way forward (its to_decide),
// and the tier's estimated cost against its 4 core-hour budget (PAPER.md
// "Tiers"). "" when no nightly result is found.
std::string DesignCardParagraph(const ReportInputs& in) {
  int64_t card = 0, decided = 0, found = 0;
  std::vector<std::string> open;
  for (const auto& [e, by] : in.by_tier) {
    auto n = by.find("nightly");
    if (n == by.end() || !n->second.contains("claims")) continue;
    ++found;
    auto specs = RegistrySpecs().find(e);
    if (specs == RegistrySpecs().end()) continue;
    for (const auto& c : n->second["claims"]) {
      const std::string id = StringAt(c, "id");
      const ClaimSpec* spec = SpecFor(specs->second, id);
      if (spec == nullptr || !spec->design_card) continue;
      ++card;
      const std::string v = StringAt(c, "verdict");
      if (v == "reproduced" || v == "not_reproduced") {
        ++decided;
        continue;
      }
      const nlohmann::json t = c.value("to_decide", nlohmann::json());
      std::string way = "no way forward recorded";
      if (t.is_object() && t.value("no_design_known", false))
        way = "no design known";
      else if (t.is_object() && t.contains("command"))
        way = absl::StrCat("`", StringAt(t, "command"), "`",
                           t.contains("core_hours") && t["core_hours"].is_number()
                               ? absl::StrFormat(" (~%.3g core-hours)",
                                                 t["core_hours"].get<double>())
                               : std::string());
      open.push_back(absl::StrCat(id, ": ", way));
    }
  }
  if (found == 0 || card == 0) return "";
  double hours = 0;
  for (const auto& [e, by] : in.core_hours) {
    auto t = by.find("nightly");
    if (t != by.end()) hours += t->second;
  }
  std::string md = absl::StrCat(
      "**The design card at nightly.** The nightly tier (estimated ",
      absl::StrFormat("%.2f", hours),
      " core-hours of training against its 4 core-hour budget, PAPER.md "
      "\"Tiers\") decides ", decided, " of the ", card,
      " design-card claims among the nightly results found here (the claims "
      "it exists to decide: MA-survival, MA-perturb ours and P1's k, "
      "MA-handcrafted on P1's construction, MA-frozen at every checkpoint, "
      "MA-controls).");
  if (open.empty()) return absl::StrCat(md, "\n\n");
  absl::StrAppend(&md, " Undecided, each with its way forward:\n\n");
  for (const std::string& o : open) absl::StrAppend(&md, "- ", o, "\n");
  absl::StrAppend(&md,
                  "\n`tools/repro power --tier=nightly` prints the tier's "
                  "whole budget sheet: what deciding them would cost "
                  "together.\n\n");
  return md;
}

std::string About(const ReportInputs& in) {
  std::string md = absl::StrCat(
      "## About this report\n\n",
      "This report re-runs the figure-level experiments of two papers and "
      "checks each of their claims:\n\n",
      "- **P1**: Ding, Guo, Michaud, Liu, Tegmark, [*Survival of the Fittest "
      "Representation: A Case Study with Modular Addition*](",
      kP1Url, ") (arXiv 2405.17420, 2024), with its public code [",
      "carlguo866/circle-survival](https://github.com/carlguo866/circle-survival).\n",
      "- **P2**: [*Interpretable Patterns in Random Initialization Unveil "
      "Final Representation*](", kP2Url,
      ") (ICLR 2025 submission, OpenReview). Only its abstract and reviews "
      "are public; its remainder-equivalence and XOR setups are our "
      "reconstruction (*reconstructed* below).\n\n",
      "**How.** initrepro trains P1's model (embedding, 3-layer SiLU MLP, "
      "full-batch AdamW, float64) with its own bit-reproducible C++ trainer, "
      "runs every experiment at a *tier* (smoke, ci, nightly, paper: from "
      "seconds to P1's full scale), and decides every claim with one verdict "
      "engine from a rule fixed before any run. Each smoke, ci and nightly "
      "result is committed as a golden file and checked bit for bit by "
      "`bazel test`. The claims, their rules and their sources are listed in "
      "[claims.md](claims.md) (the repository's `docs/claims.md`); every rule "
      "this report cites is there or below.\n\n");
  absl::StrAppend(&md, "| provenance | |\n|---|---|\n", "| commit | ", Commit(), " |\n",
                  "| date | ", Today(), " |\n", "| machine | ", Cell(CpuName()),
                  ", ", std::thread::hardware_concurrency(), " cores |\n");
  double hours = 0;
  for (const auto& [e, by] : in.core_hours) {
    auto t = by.find(in.tier);
    if (t != by.end()) hours += t->second;
  }
  absl::StrAppend(&md, "| this report's tier | ", in.tier, ": ",
                  in.results.size(), " experiments; estimated ",
                  absl::StrFormat("%.2g", hours), " core-hours of training",
                  in.wall_seconds >= 0
                      ? absl::StrFormat("; this command took %.0f s wall time "
                                        "(finished runs are reused)",
                                        in.wall_seconds)
                      : std::string(),
                  " |\n");
  for (const std::string& t : TierOrder()) {
    const std::string origin = TierOrigin(in, t);
    if (origin.empty()) continue;
    const std::string scale = ScaleOf(in, t);
    absl::StrAppend(&md, "| ", t, " | ", scale, scale.empty() ? "" : "; ", "from ",
                    origin, " |\n");
  }
  absl::StrAppend(
      &md, "\n",
      "**Reading a verdict.** \u2714 *Reproduced*: the paper's rule holds and "
      "the effect's two-sided 99 % interval lies on the claimed side of the "
      "null. \u2718 *Not reproduced*: the whole interval lies on the wrong "
      "side of the claim's threshold; the data rule the claim out. ? "
      "*Undecided at this scale*: anything else, with the reason and the "
      "command (tier, core-hours) that would decide it; the smoke tier "
      "decides nothing. ~ *Descriptive*: a curve the papers show without a "
      "claim. Every verdict gives its effect as *statistic estimate [low, "
      "high]* with n independent units, and its runs as *valid/planned*: a "
      "run is valid when it trained (test accuracy >= 0.99) and its "
      "representation settled; excluded runs are counted by reason, and "
      "figures that plot them draw them as hollow grey circles. *Golden: "
      "match* means the result equals its committed golden file. Verdicts v2, "
      "the rules behind these words, are in [claims.md](claims.md#verdicts-v2-"
      "what-a-verdict-may-claim).\n\n",
      "**Reason codes** (the small line of a status cell; the full reason is "
      "in the claim's section): `too_few_valid` fewer than 80 % of the "
      "planned runs valid; `interval_wide` the 99 % interval reaches both the "
      "null and the claim's threshold; `rule_fails` the interval excludes the "
      "null but the paper's rule fails; `undefined` the statistic is "
      "undefined (e.g. a zero margin of a 2 x 2 table); `too_few_units` too "
      "few units for the statistic; `ceiling` a measurement ceiling was "
      "reached; `smoke_tier` the smoke tier decides nothing. The same codes "
      "are in [verdicts.csv](verdicts.csv) and [verdicts.json](verdicts.json), "
      "one row per (claim, tier).\n\n");
  absl::StrAppend(&md, HorizonParagraph(in));
  absl::StrAppend(&md, DesignCardParagraph(in));
  return md;
}

// Rows of the forest plot: every claim with an effect at some tier that
// is not descriptive. Each row is normalised on its own: 0 is the null,
// the claimed side points right, and the row's widest interval (or
// threshold) ends at +-1; odds ratios on a log scale first.
nlohmann::json ForestFigure(const std::vector<VerdictRow>& rows,
                            const std::map<std::string, int>& number,
                            const ReportInputs& in) {
  std::vector<std::string> ids;
  std::map<std::string, std::vector<const VerdictRow*>> by_claim;
  const std::vector<std::string> columns = StatusColumns(in);
  for (const VerdictRow& r : rows) {
    if (r.verdict == "descriptive") continue;
    if (std::find(columns.begin(), columns.end(), r.tier) == columns.end()) continue;
    if (!EffectNumber(r.typed, "estimate") && !EffectNumber(r.typed, "low"))
      continue;
    if (!by_claim.count(r.claim)) ids.push_back(r.claim);
    by_claim[r.claim].push_back(&r);
  }
  nlohmann::json f = {{"name", "forest"},
                      {"title", "Effect and 99 % interval per tier"},
                      {"xlabel", "normalised effect (0 = null, right = claimed side)"},
                      {"ylabel", ""},
                      {"legend", "below"},
                      {"series", nlohmann::json::array()},
                      {"ref_lines", nlohmann::json::array()},
                      {"y_tics", nlohmann::json::array()}};
  const double kEdge = 1.12;  // unbounded ends stop at the frame
  std::map<std::string, nlohmann::json> tier_series;
  nlohmann::json ticks = {{"label", "threshold"},
                          {"style", "tick"},
                          {"x", nlohmann::json::array()},
                          {"y", nlohmann::json::array()}};
  const int total = static_cast<int>(ids.size());
  for (int k = 0; k < total; ++k) {
    const std::string& id = ids[k];
    const auto& tiers = by_claim[id];
    const double row = total - k;
    const std::string stat =
        tiers[0]->typed.effect.value("statistic", std::string());
    const bool log = stat == "odds ratio";
    auto T = [&](double v) {
      if (!log) return v;
      return v <= 0 ? -std::numeric_limits<double>::infinity() : std::log(v);
    };
    std::optional<double> null, threshold;
    bool below = false;
    for (const VerdictRow* r : tiers) {
      if (!null) null = ClaimNull(r->typed);
      if (!threshold) threshold = ClaimThreshold(r->typed);
      if (absl::StrContains(r->typed.reason, "lies below")) below = true;
    }
    if (!null) null = threshold;
    if (!null) null = log ? 1.0 : 0.0;
    if (threshold && T(*threshold) < T(*null)) below = true;
    const double sign = below ? -1 : 1;
    double scale = 0;
    auto grow = [&](const std::optional<double>& v) {
      if (v && std::isfinite(T(*v))) scale = std::max(scale, std::fabs(T(*v) - T(*null)));
    };
    grow(threshold);
    for (const VerdictRow* r : tiers)
      for (const char* key : {"estimate", "low", "high"})
        grow(EffectNumber(r->typed, key));
    if (!(scale > 0)) scale = 1;
    auto X = [&](const std::optional<double>& v) -> nlohmann::json {
      if (!v) return nullptr;
      const double t = T(*v);
      if (std::isinf(t)) return sign * (t > 0 ? kEdge : -kEdge);
      return std::clamp(sign * (t - T(*null)) / scale, -kEdge, kEdge);
    };
    const int tier_count = static_cast<int>(tiers.size());
    for (int j = 0; j < tier_count; ++j) {
      const VerdictRow* r = tiers[j];
      nlohmann::json& s = tier_series[r->tier];
      if (s.is_null())
        s = {{"label", r->tier},
             {"style", "xinterval"},
             {"x", nlohmann::json::array()},
             {"y", nlohmann::json::array()},
             {"x_low", nlohmann::json::array()},
             {"x_high", nlohmann::json::array()}};
      nlohmann::json lo = X(EffectNumber(r->typed, "low"));
      nlohmann::json hi = X(EffectNumber(r->typed, "high"));
      if (sign < 0) std::swap(lo, hi);
      s["x"].push_back(X(EffectNumber(r->typed, "estimate")));
      s["y"].push_back(row + (tier_count == 1 ? 0.0 : 0.36 * (0.5 - j / (tier_count - 1.0))));
      s["x_low"].push_back(lo);
      s["x_high"].push_back(hi);
    }
    if (threshold && std::isfinite(T(*threshold))) {
      ticks["x"].push_back(X(threshold));
      ticks["y"].push_back(row);
    }
    auto n = number.find(id);
    f["y_tics"].push_back(
        {row, absl::StrCat(n == number.end() ? 0 : n->second, " ", StatShort(stat))});
  }
  for (const std::string& t : TierOrder())
    if (tier_series.count(t)) f["series"].push_back(tier_series[t]);
  if (!ticks["x"].empty()) f["series"].push_back(ticks);
  f["ref_lines"].push_back({{"axis", "x"}, {"value", 0.0}, {"label", "null"}});
  f["x_min"] = -kEdge;
  f["x_max"] = kEdge;
  f["y_min"] = 0.3;
  f["y_max"] = total + 0.7;
  f["height"] = std::max(260, 17 * total + 150);
  f["width"] = 470;
  return f;
}


}  // namespace

namespace {

// One table of docs/report/: {"format_version": 1, "about": ..., KEY: [...]}.
// Errors name the file and the field.
absl::StatusOr<nlohmann::json> TableEntries(std::string_view text,
                                            const std::string& file,
                                            const std::string& key) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": not valid JSON: ", e.what()));
  }
  if (!j.is_object())
    return absl::InvalidArgumentError(absl::StrCat(
        file, ": expected a JSON object at the top level, found ", j.type_name()));
  if (!j.contains("format_version") || j["format_version"] != 1)
    return absl::InvalidArgumentError(absl::StrCat(
        file, ": field 'format_version': expected 1, found ",
        j.contains("format_version") ? j["format_version"].dump() : "nothing"));
  if (!j.contains(key) || !j[key].is_array())
    return absl::InvalidArgumentError(absl::StrCat(
        file, ": field '", key, "': expected an array, found ",
        j.contains(key) ? j[key].type_name() : "nothing"));
  for (size_t i = 0; i < j[key].size(); ++i)
    if (!j[key][i].is_object())
      return absl::InvalidArgumentError(absl::StrCat(
          file, ": field '", key, "[", i, "]': expected an object, found ",
          j[key][i].type_name()));
  return j[key];
}

// Field `field` of entry KEY[i] as a non-empty string.
absl::StatusOr<std::string> TableString(const nlohmann::json& entry,
                                        const std::string& file,
                                        const std::string& key, size_t i,
                                        const std::string& field) {
  if (!entry.contains(field) || !entry[field].is_string() ||
      entry[field].get<std::string>().empty())
    return absl::InvalidArgumentError(absl::StrCat(
        file, ": field '", key, "[", i, "].", field,
        "': expected a non-empty string, found ",
        entry.contains(field) ? entry[field].dump() : "nothing"));
  return entry[field].get<std::string>();
}

// Field `field` of entry KEY[i] as a line number (an integer >= 1).
absl::StatusOr<int> TableLine(const nlohmann::json& entry, const std::string& file,
                              const std::string& key, size_t i,
                              const std::string& field) {
  if (!entry.contains(field) || !entry[field].is_number_integer() ||
      entry[field].get<int64_t>() < 1 || entry[field].get<int64_t>() > 1000000)
    return absl::InvalidArgumentError(absl::StrCat(
        file, ": field '", key, "[", i, "].", field,
        "': expected a line number (an integer >= 1), found ",
        entry.contains(field) ? entry[field].dump() : "nothing"));
  return static_cast<int>(entry[field].get<int64_t>());
}

}  // namespace

absl::StatusOr<std::vector<Deviation>> ParseDeviations(std::string_view text,
                                                       const std::string& file) {
  ASSIGN_OR_RETURN(const nlohmann::json entries, TableEntries(text, file, "deviations"));
  std::vector<Deviation> out;
  for (size_t i = 0; i < entries.size(); ++i) {
    const nlohmann::json& e = entries[i];
    Deviation d;
    ASSIGN_OR_RETURN(d.file, TableString(e, file, "deviations", i, "file"));
    ASSIGN_OR_RETURN(d.first, TableLine(e, file, "deviations", i, "first"));
    ASSIGN_OR_RETURN(d.last, TableLine(e, file, "deviations", i, "last"));
    if (d.last < d.first)
      return absl::InvalidArgumentError(absl::StrCat(
          file, ": field 'deviations[", i, "].last': expected >= first (", d.first,
          "), found ", d.last));
    ASSIGN_OR_RETURN(d.p1, TableString(e, file, "deviations", i, "p1"));
    ASSIGN_OR_RETURN(d.ours, TableString(e, file, "deviations", i, "ours"));
    ASSIGN_OR_RETURN(d.verdict, TableString(e, file, "deviations", i, "verdict"));
    out.push_back(std::move(d));
  }
  return out;
}

absl::StatusOr<std::vector<Reconstruction>> ParseReconstructions(
    std::string_view text, const std::string& file) {
  ASSIGN_OR_RETURN(const nlohmann::json entries,
                   TableEntries(text, file, "reconstructions"));
  std::vector<Reconstruction> out;
  for (size_t i = 0; i < entries.size(); ++i) {
    const nlohmann::json& e = entries[i];
    Reconstruction r;
    ASSIGN_OR_RETURN(r.choice, TableString(e, file, "reconstructions", i, "choice"));
    ASSIGN_OR_RETURN(r.ours, TableString(e, file, "reconstructions", i, "ours"));
    ASSIGN_OR_RETURN(r.parameter,
                     TableString(e, file, "reconstructions", i, "parameter"));
    out.push_back(std::move(r));
  }
  return out;
}

absl::StatusOr<std::vector<GlossaryTerm>> ParseGlossary(std::string_view text,
                                                        const std::string& file) {
  ASSIGN_OR_RETURN(const nlohmann::json entries, TableEntries(text, file, "terms"));
  std::vector<GlossaryTerm> out;
  for (size_t i = 0; i < entries.size(); ++i) {
    GlossaryTerm t;
    ASSIGN_OR_RETURN(t.term, TableString(entries[i], file, "terms", i, "term"));
    ASSIGN_OR_RETURN(t.definition,
                     TableString(entries[i], file, "terms", i, "definition"));
    out.push_back(std::move(t));
  }
  return out;
}

absl::StatusOr<std::vector<ReviewerSentence>> ParseReviewerAudit(
    std::string_view text, const std::string& file) {
  ASSIGN_OR_RETURN(const nlohmann::json entries, TableEntries(text, file, "sentences"));
  std::vector<ReviewerSentence> out;
  for (size_t i = 0; i < entries.size(); ++i) {
    const nlohmann::json& e = entries[i];
    ReviewerSentence r;
    ASSIGN_OR_RETURN(r.by, TableString(e, file, "sentences", i, "by"));
    ASSIGN_OR_RETURN(r.sentence, TableString(e, file, "sentences", i, "sentence"));
    const std::string claims_key = absl::StrCat("sentences[", i, "].claims");
    if (!e.contains("claims") || !e["claims"].is_array() || e["claims"].empty())
      return absl::InvalidArgumentError(absl::StrCat(
          file, ": field '", claims_key,
          "': expected a non-empty array of {id, cell}, found ",
          e.contains("claims") ? e["claims"].dump() : "nothing"));
    for (size_t j = 0; j < e["claims"].size(); ++j) {
      const nlohmann::json& c = e["claims"][j];
      if (!c.is_object())
        return absl::InvalidArgumentError(absl::StrCat(
            file, ": field '", claims_key, "[", j, "]': expected an object, found ",
            c.type_name()));
      AuditClaim claim;
      ASSIGN_OR_RETURN(claim.id, TableString(c, file, claims_key, j, "id"));
      const size_t slash = claim.id.find('/');
      if (slash == std::string::npos || slash == 0 || slash + 1 == claim.id.size())
        return absl::InvalidArgumentError(absl::StrCat(
            file, ": field '", claims_key, "[", j,
            "].id': expected a claim id EXPERIMENT/name, found \"", claim.id, "\""));
      ASSIGN_OR_RETURN(claim.cell, TableString(c, file, claims_key, j, "cell"));
      if (claim.cell != "default" && claim.cell != "line" && claim.cell != "valid_line")
        return absl::InvalidArgumentError(absl::StrCat(
            file, ": field '", claims_key, "[", j,
            "].cell': expected \"default\", \"line\" or \"valid_line\", found \"",
            claim.cell, "\""));
      if (claim.cell != "default" && !absl::StartsWith(claim.id, "RE-completeness/"))
        return absl::InvalidArgumentError(absl::StrCat(
            file, ": field '", claims_key, "[", j, "].cell': \"", claim.cell,
            "\" is a cell of RE-completeness, but the claim is ", claim.id));
      r.claims.push_back(std::move(claim));
    }
    out.push_back(std::move(r));
  }
  return out;
}

absl::StatusOr<ReportReference> CompiledReportReference() {
  ReportReference r;
  ASSIGN_OR_RETURN(r.deviations,
                   ParseDeviations(DeviationsJsonText(), "docs/report/deviations.json"));
  ASSIGN_OR_RETURN(r.reconstructions,
                   ParseReconstructions(ReconstructionsJsonText(),
                                        "docs/report/reconstructions.json"));
  ASSIGN_OR_RETURN(r.glossary,
                   ParseGlossary(GlossaryJsonText(), "docs/report/glossary.json"));
  ASSIGN_OR_RETURN(r.reviewer_audit,
                   ParseReviewerAudit(ReviewerAuditJsonText(),
                                      "docs/report/reviewer_audit.json"));
  return r;
}

std::string Slug(const std::string& heading) {
  std::string out;
  for (unsigned char ch : heading) {
    if (std::isalnum(ch)) out += static_cast<char>(std::tolower(ch));
    else if (ch == ' ' || ch == '-') out += '-';
    else if (ch == '_') out += '_';
  }
  return out;
}

absl::StatusOr<std::map<std::string, std::map<std::string, nlohmann::json>>>
LoadTierResults(
    const std::vector<std::string>& experiments,
    const std::vector<std::string>& tiers, const std::string& out_dir,
    const std::string& golden_dir,
    std::map<std::string, std::map<std::string, std::string>>* origins) {
  std::map<std::string, std::map<std::string, nlohmann::json>> found;
  for (const std::string& e : experiments)
    for (const std::string& t : tiers)
      for (const bool golden : {false, true}) {
        const std::string path =
            golden ? absl::StrCat(golden_dir, "/", e, ".", t, ".json")
                   : absl::StrCat(out_dir, "/results/", e, ".", t, ".json");
        if (!PathExists(path)) continue;
        // Present but unreadable is shown as an error: never "not run".
        absl::StatusOr<std::string> text = ReadFile(path);
        if (!text.ok())
          return absl::DataLossError(absl::StrCat(
              text.status().message(), " (needed for the ", t,
              " column of the report)"));
        nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
        if (j.is_discarded() || !j.is_object())
          return absl::DataLossError(absl::StrCat(
              path, ": not a JSON object (truncated or corrupted?); needed "
                    "for the ", t, " column of the report"));
        found[e][t] = j;
        if (origins != nullptr) (*origins)[e][t] = golden ? "golden" : "out";
        break;
      }
  return found;
}

namespace {

constexpr char kNoSource[] = "no source declared";

// experiment -> its claim specs, from the registry (built once; the
// registry is complete before main runs).
const std::map<std::string, std::vector<ClaimSpec>>& RegistrySpecs() {
  static const auto* specs = [] {
    auto* m = new std::map<std::string, std::vector<ClaimSpec>>();
    for (const std::string& name : ExperimentNames()) {
      absl::StatusOr<std::unique_ptr<Experiment>> e = MakeExperiment(name);
      if (e.ok()) (*m)[name] = (*e)->ClaimSpecs();
    }
    return m;
  }();
  return *specs;
}

std::string StringAt(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return "";
  return j[key].get<std::string>();
}

// The claim a nightly verdict of `experiment`'s claim `claim_id` needs
// reproduced to speak for the paper's scale (ClaimSpec::nightly_depends_on);
// "" when none. "ID@STEP" and "ID@CELL" are ID's spec.
std::string NightlyDependency(const std::string& experiment,
                              const std::string& claim_id) {
  const std::string id = claim_id.substr(0, claim_id.find('@'));
  auto e = RegistrySpecs().find(experiment);
  if (e != RegistrySpecs().end())
    for (const ClaimSpec& spec : e->second)
      if (spec.id == id) return spec.nightly_depends_on;
  return "";
}

// The claim nightly verdicts depend on (the first nightly_depends_on of the
// registered specs; every one names the same), "" when none does.
std::string NightlyHorizonClaim() {
  for (const auto& [experiment, specs] : RegistrySpecs())
    for (const ClaimSpec& spec : specs)
      if (!spec.nightly_depends_on.empty()) return spec.nightly_depends_on;
  return "";
}

// `dep`'s verdict at the paper tier, where it is decided: {verdict, text}
// with the verdict "" when no paper result holds it.
std::pair<std::string, std::string> DependencyStatus(const ReportInputs& in,
                                                     const std::string& dep) {
  const std::string experiment = dep.substr(0, dep.find('/'));
  if (const nlohmann::json* r = Found(in, experiment, "paper");
      r != nullptr && r->is_object() && r->contains("claims") &&
      (*r)["claims"].is_array())
    for (const nlohmann::json& c : (*r)["claims"])
      if (StringAt(c, "id") == dep) {
        const std::string v = StringAt(c, "verdict");
        return {v, absl::StrCat(VerdictMark(v), " ", VerdictWord(v), ", ",
                                EffectShort(c), " (paper tier, ",
                                Origin(in, experiment, "paper") == "golden"
                                    ? "committed golden"
                                    : "this run",
                                ")")};
      }
  return {"", absl::StrCat("not run at the paper tier yet (`tools/repro run ",
                           experiment, " --tier=paper`, ",
                           Hours(in, experiment, "paper"), ")")};
}

// "- **Speaks for the paper's steps**: ..." for a nightly claim with a
// dependency; "" otherwise.
std::string DependencyLine(const ReportInputs& in, const std::string& experiment,
                           const std::string& claim_id) {
  if (in.tier != "nightly") return "";
  const std::string dep = NightlyDependency(experiment, claim_id);
  if (dep.empty()) return "";
  const auto [verdict, text] = DependencyStatus(in, dep);
  const std::string link = absl::StrCat("[", dep, "](#", Slug(dep), ")");
  if (verdict == "reproduced")
    return absl::StrCat("- **Speaks for P1's 30000 steps**: yes, ", link,
                        " is ", text, ".\n");
  return absl::StrCat(
      "- **Speaks for P1's 30000 steps**: not yet shown. This verdict is about "
      "runs of the nightly step count; it speaks for P1's 30000-step runs "
      "only once ",
      link, " is reproduced, and that claim is ", text, ".\n");
}

}  // namespace

ClaimSource SourceOfClaim(const std::string& experiment, const Claim& claim) {
  ClaimSource own{StringAt(claim.source, "paper"), StringAt(claim.source, "p1_script")};
  if (!own.paper.empty()) return own;
  // "ID@STEP" (per checkpoint) and "ID@CELL" (per cell) are ID's spec.
  const std::string id = claim.id.substr(0, claim.id.find('@'));
  auto e = RegistrySpecs().find(experiment);
  if (e != RegistrySpecs().end())
    for (const ClaimSpec& spec : e->second)
      if (spec.id == id) return {spec.paper, spec.p1_script};
  return {};
}

std::vector<ClaimSource> SourcesOfExperiment(const std::string& experiment,
                                             const std::vector<Claim>& claims) {
  std::vector<ClaimSource> out;
  auto add = [&](const ClaimSource& s) {
    for (const ClaimSource& o : out)
      if (o.paper == s.paper && o.p1_script == s.p1_script) return;
    out.push_back(s);
  };
  for (const Claim& c : claims) add(SourceOfClaim(experiment, c));
  if (claims.empty()) {
    auto e = RegistrySpecs().find(experiment);
    if (e != RegistrySpecs().end())
      for (const ClaimSpec& spec : e->second) add({spec.paper, spec.p1_script});
  }
  if (out.empty()) out.push_back({});
  return out;
}

std::string SourceLong(const ClaimSource& s) {
  if (s.paper.empty()) return absl::StrCat("**", kNoSource, "** (see [claims.md](claims.md))");
  if (s.p1_script.empty()) return s.paper;
  return absl::StrCat(s.paper, "; P1 script [`", s.p1_script, "`](", kP1Code,
                      s.p1_script, ")");
}

std::string SourcePlain(const ClaimSource& s) {
  if (s.paper.empty()) return kNoSource;
  if (s.p1_script.empty()) return s.paper;
  return absl::StrCat(s.paper, "; P1 script ", s.p1_script);
}

std::string SourceShort(const ClaimSource& s) {
  if (s.paper.empty()) return absl::StrCat("**", kNoSource, "**");
  std::string paper = s.paper.substr(0, s.paper.find_first_of(";("));
  while (!paper.empty() && paper.back() == ' ') paper.pop_back();
  paper = absl::StrReplaceAll(paper, {{"Sec. ", "\u00a7"}});
  std::string url;
  if (!s.p1_script.empty()) url = absl::StrCat(kP1Code, s.p1_script);
  else if (absl::StartsWith(paper, "P2")) url = kP2Url;
  else if (absl::StartsWith(paper, "P1")) url = kP1Url;
  else url = "claims.md";
  return absl::StrCat("[", paper, "](", url, ")");
}

std::string WithoutPaperMd(const std::string& text) {
  return absl::StrReplaceAll(
      text, {{"PAPER.md Known slips", "Deviations from P1's code, in this report"},
             {"PAPER.md's row", "the row of claims.md"},
             {"PAPER.md's rule", "a rule of claims.md"},
             {"PAPER.md's table", "the table of claims.md"},
             {"PAPER.md", "claims.md"}});
}

namespace {

// Captions written when the figures drew 95 % intervals: the drawing now
// uses the verdicts' 99 % (figures.h), and the caption says so.
std::string Caption99(const std::string& caption) {
  return absl::StrReplaceAll(caption, {{"95 % Clopper-Pearson", "99 % Clopper-Pearson"},
                                       {"95 % Student", "99 % Student"},
                                       {"95 % band", "99 % band"},
                                       {"95 % interval", "99 % interval"}});
}

// A caption whose stated direction its own observed numbers contradict
// (CaptionContradiction) reads as the expectation it is.
std::string CheckedCaption(const std::string& caption, const nlohmann::json& figure,
                           const nlohmann::json& result) {
  const std::string why = CaptionContradiction(figure, result);
  if (why.empty()) return caption;
  return absl::StrCat("*Expected, not shown by this run* (", why, "): ", caption);
}

}  // namespace

namespace {

// The RE-audit map's swept axes, as data.map_axes names them, with the key
// of the cell strings ("d=2,wd=0.1,N=24,m=6") and the report's words.
struct MapAxis {
  std::string key, words;
  std::vector<double> values;  // ascending, distinct
};

std::vector<MapAxis> MapAxesOf(const nlohmann::json& data) {
  static const char* const kAxes[][3] = {{"dims", "d", "d"},
                                         {"decays", "wd", "weight decay"},
                                         {"ns", "N", "N"},
                                         {"ms", "m", "m"}};
  std::vector<MapAxis> out;
  if (!data.is_object() || !data.contains("map_axes") || !data["map_axes"].is_object())
    return out;
  const nlohmann::json& axes = data["map_axes"];
  for (const auto& a : kAxes) {
    if (!axes.contains(a[0]) || !axes[a[0]].is_array()) continue;
    MapAxis axis{a[1], a[2], {}};
    for (const auto& v : axes[a[0]])
      if (v.is_number()) axis.values.push_back(v.get<double>());
    std::sort(axis.values.begin(), axis.values.end());
    axis.values.erase(std::unique(axis.values.begin(), axis.values.end()),
                      axis.values.end());
    if (!axis.values.empty()) out.push_back(std::move(axis));
  }
  return out;
}

// "d=2,wd=0.1,N=24,m=6" -> {d: 2, wd: 0.1, N: 24, m: 6}; parts that do not
// read as KEY=number are left out.
std::map<std::string, double> CellValues(const std::string& cell) {
  std::map<std::string, double> out;
  for (absl::string_view part : absl::StrSplit(cell, ',')) {
    const size_t eq = part.find('=');
    if (eq == absl::string_view::npos) continue;
    double v = 0;
    if (absl::SimpleAtod(part.substr(eq + 1), &v))
      out[std::string(part.substr(0, eq))] = v;
  }
  return out;
}

std::string AxisNumber(double v) { return absl::StrFormat("%g", v); }

std::string AxisValues(const MapAxis& axis) {
  std::vector<std::string> v;
  for (double x : axis.values) v.push_back(AxisNumber(x));
  return axis.values.size() == 1
             ? absl::StrCat(axis.words, " ", v[0])
             : absl::StrCat(axis.words, " in {", absl::StrJoin(v, ", "), "}");
}

// "d=32, wd=0.1": the cell without the axes the map holds fixed.
std::string CellLabel(const std::string& cell, const std::vector<MapAxis>& axes) {
  std::vector<std::string> parts;
  for (absl::string_view part : absl::StrSplit(cell, ',')) {
    const std::string key(part.substr(0, part.find('=')));
    bool fixed = false;
    for (const MapAxis& a : axes) fixed = fixed || (a.key == key && a.values.size() == 1);
    if (!fixed) parts.emplace_back(part);
  }
  return absl::StrJoin(parts, ", ");
}

// One entry of data.per_cell_verdicts[id].
struct CellVerdict {
  std::string cell, verdict, reason_code;
  nlohmann::json effect;  // {estimate, low, high, n, ...}; null when absent
};

// data.per_cell_verdicts[id]; nullopt when the claim has none (it is not
// decided per cell). Entries that are not objects are skipped.
std::optional<std::vector<CellVerdict>> CellVerdictsOf(const nlohmann::json& data,
                                                       const std::string& id) {
  if (!data.is_object() || !data.contains("per_cell_verdicts") ||
      !data["per_cell_verdicts"].is_object())
    return std::nullopt;
  const nlohmann::json& all = data["per_cell_verdicts"];
  if (!all.contains(id) || !all[id].is_array()) return std::nullopt;
  std::vector<CellVerdict> out;
  for (const auto& e : all[id]) {
    if (!e.is_object()) continue;
    out.push_back({StringAt(e, "cell"), StringAt(e, "verdict"), StringAt(e, "reason_code"),
                   e.contains("effect") ? e["effect"] : nlohmann::json()});
  }
  return out;
}

// The values a set of cells takes on one axis, in words: "d = 2" (one
// value), "d <= 4" (the axis's values from its smallest up to theirs),
// "weight decay >= 0.3" (from theirs up to the axis's largest), else
// "d in {2, 8}".
std::string AxisRange(const MapAxis& axis, const std::set<double>& taken) {
  const std::vector<double> t(taken.begin(), taken.end());
  if (t.size() == 1) return absl::StrCat(axis.words, " = ", AxisNumber(t[0]));
  const std::vector<double>& v = axis.values;
  if (t.size() <= v.size() && std::equal(t.begin(), t.end(), v.begin()))
    return absl::StrCat(axis.words, " <= ", AxisNumber(t.back()));
  if (t.size() <= v.size() && std::equal(t.begin(), t.end(), v.end() - t.size()))
    return absl::StrCat(axis.words, " >= ", AxisNumber(t.front()));
  std::vector<std::string> parts;
  for (double x : t) parts.push_back(AxisNumber(x));
  return absl::StrCat(axis.words, " in {", absl::StrJoin(parts, ", "), "}");
}

// Where a set of map cells lies. A swept axis (two or more values)
// separates when the cells leave out some of its values; the region is the
// product of the cells' values on the separating axes, every other axis
// taken whole. Shared by the two line sentences below, so they can never
// disagree on what "only at d <= 8" means.
struct CellRegion {
  std::vector<std::string> separating;  // AxisRange wording, in axis order
  std::vector<std::string> spanned;     // words of the swept axes taken whole
  std::map<std::string, std::set<double>> values;  // separating axis key -> values

  bool Contains(const std::map<std::string, double>& cell) const {
    for (const auto& [key, taken] : values) {
      auto it = cell.find(key);
      if (it == cell.end() || taken.count(it->second) == 0) return false;
    }
    return true;
  }
};

CellRegion RegionOf(const std::vector<MapAxis>& axes,
                    const std::vector<std::map<std::string, double>>& cells) {
  CellRegion region;
  for (const MapAxis& a : axes) {
    if (a.values.size() < 2) continue;
    std::set<double> taken;
    for (const auto& v : cells) {
      auto it = v.find(a.key);
      if (it != v.end()) taken.insert(it->second);
    }
    if (taken.size() == a.values.size() &&
        std::equal(taken.begin(), taken.end(), a.values.begin())) {
      region.spanned.push_back(a.words);
      continue;
    }
    region.separating.push_back(AxisRange(a, taken));
    region.values[a.key] = std::move(taken);
  }
  return region;
}

constexpr char kLineClaim[] = "RE-audit/P2-line";

}  // namespace

// Which swept setting decides the geometry. The rule (ours; kept simple so
// the sentence never says more than the cells show): let R be the map
// cells where RE-audit/P2-line is reproduced (verdicts, not line
// fractions: an undecided cell is in neither R nor its complement).
//   - R empty: "no cell reproduces P2-line", with the verdict counts.
//   - Otherwise a swept axis (more than one value) decides when R leaves
//     out some of its values; per deciding axis the values R takes
//     (AxisRange). "Lines form only at X and Y" says where R lies, and the
//     count "K of the M cells there" says that the region may also hold
//     cells that are undecided or not reproduced. No deciding axis: R
//     spans every swept value, and no single setting decides.
//   - Then, when the map holds the default d (data.default_cell.d), the
//     verdict counts at that d.
std::string LineGeometrySentence(const nlohmann::json& data) {
  const std::vector<MapAxis> axes = MapAxesOf(data);
  const std::optional<std::vector<CellVerdict>> cells = CellVerdictsOf(data, kLineClaim);
  if (axes.empty() || !cells || cells->empty()) return "";
  struct Tally {
    int reproduced = 0, not_reproduced = 0, undecided = 0;
    void Add(const std::string& v) {
      if (v == "reproduced") ++reproduced;
      else if (v == "not_reproduced") ++not_reproduced;
      else ++undecided;
    }
    std::string Rest() const {
      return absl::StrCat("not reproduced in ", not_reproduced, ", undecided in ",
                          undecided);
    }
  } all;
  std::vector<std::map<std::string, double>> r_cells;
  for (const CellVerdict& c : *cells) {
    all.Add(c.verdict);
    if (c.verdict == "reproduced") r_cells.push_back(CellValues(c.cell));
  }
  const int total = static_cast<int>(cells->size());
  std::string s;
  if (r_cells.empty()) {
    std::vector<std::string> swept;
    for (const MapAxis& a : axes) swept.push_back(AxisValues(a));
    s = absl::StrCat("In this map no cell reproduces ", kLineClaim,
                     " (lines in most runs): it is reproduced in none of its ", total,
                     " cells (",
                     absl::StrJoin(swept, ", "), "; ", all.Rest(), ")");
  } else {
    const CellRegion region = RegionOf(axes, r_cells);
    if (region.separating.empty()) {
      s = absl::StrCat("In this map lines form (", kLineClaim, " reproduced) in ",
                       r_cells.size(), " of its ", total, " cells, at every swept value of ",
                       absl::StrJoin(region.spanned, " and "),
                       ": no single swept setting decides the geometry (", all.Rest(),
                       ")");
    } else {
      int in_region = 0;
      for (const CellVerdict& c : *cells) in_region += region.Contains(CellValues(c.cell));
      s = absl::StrCat("In this map lines form (", kLineClaim, " reproduced) only at ",
                       absl::StrJoin(region.separating, " and "), ": in ", r_cells.size(),
                       " of the ", in_region, " cells there (", total,
                       " cells in the map; ", all.Rest(), ")");
    }
  }
  // The default d, when the map sweeps it.
  if (data.contains("default_cell") && data["default_cell"].is_object() &&
      data["default_cell"].contains("d") && data["default_cell"]["d"].is_number()) {
    const double d = data["default_cell"]["d"].get<double>();
    Tally at;
    int n = 0;
    for (const CellVerdict& c : *cells) {
      const std::map<std::string, double> v = CellValues(c.cell);
      auto it = v.find("d");
      if (it == v.end() || it->second != d) continue;
      ++n;
      at.Add(c.verdict);
    }
    if (n > 0)
      absl::StrAppend(&s, "; at the default d ", AxisNumber(d), " it is reproduced in ",
                      at.reproduced == 0 ? "none" : absl::StrCat(at.reproduced),
                      " of its ", n, " cells (", at.Rest(), ")");
  }
  return absl::StrCat(s, ".");
}

// Where any valid run forms a line, which the verdicts cannot show while
// cells are undecided (8 runs at 5/8 decide nothing). Rule: P = the cells
// whose P2-line estimate (fraction of valid runs on a line) is above 0; a
// swept axis separates when P leaves out some of its values; the region is
// the product of P's values on the separating axes. Every cell with valid
// runs outside the region then has no run on a line, by construction.
std::string LineOccurrenceSentence(const nlohmann::json& data) {
  const std::vector<MapAxis> axes = MapAxesOf(data);
  const std::optional<std::vector<CellVerdict>> cells = CellVerdictsOf(data, kLineClaim);
  if (axes.empty() || !cells || cells->empty()) return "";
  auto estimate = [](const CellVerdict& c) {
    return c.effect.is_object() && c.effect.contains("estimate") &&
                   c.effect["estimate"].is_number()
               ? c.effect["estimate"].get<double>()
               : std::numeric_limits<double>::quiet_NaN();
  };
  std::vector<std::map<std::string, double>> p_cells;
  for (const CellVerdict& c : *cells)
    if (estimate(c) > 0) p_cells.push_back(CellValues(c.cell));
  if (p_cells.empty()) return "No valid run of this map forms a line.";
  const CellRegion region = RegionOf(axes, p_cells);
  int inside = 0, outside_with_runs = 0;
  for (const CellVerdict& c : *cells) {
    if (region.Contains(CellValues(c.cell))) ++inside;
    else if (std::isfinite(estimate(c))) ++outside_with_runs;
  }
  if (region.separating.empty())
    return absl::StrCat("Runs on a line (line fraction above 0) occur at every swept "
                        "value: in ", p_cells.size(), " of the ", cells->size(),
                        " cells.");
  return absl::StrCat("Runs on a line (line fraction above 0) occur only at ",
                      absl::StrJoin(region.separating, " and "), ": in ", p_cells.size(),
                      " of the ", inside, " cells there; in the other ",
                      outside_with_runs, " cells with valid runs no run forms a line.");
}

std::string ReviewerAuditMarkdown(const ReportInputs& in,
                                  const std::vector<ReviewerSentence>& sentences) {
  std::string md = "## Auditing reviewer 1\n\n";
  const std::string rerun =
      absl::StrCat("`tools/repro run RE-audit --tier=", in.tier, "`");
  const nlohmann::json* audit_json = Found(in, "RE-audit", in.tier);
  if (audit_json == nullptr)
    return absl::StrCat(md, "No RE-audit result at the ", in.tier,
                        " tier, so reviewer 1's observations are not audited here (",
                        rerun, " decides them).\n\n");
  absl::StatusOr<StoredResult> audit =
      DisplayableResult(*audit_json)
          ? ParseStoredResult(*audit_json, absl::StrCat("the ", in.tier, " result of RE-audit"))
          : absl::StatusOr<StoredResult>(absl::InvalidArgumentError("stale format"));
  if (!audit.ok() || !audit->data.contains("per_cell_verdicts"))
    return absl::StrCat(md, "The ", in.tier,
                        " result of RE-audit has no per-cell verdicts (an older "
                        "format), so reviewer 1's observations are not audited here (",
                        rerun, " re-runs it).\n\n");
  const nlohmann::json& data = audit->data;
  const std::vector<MapAxis> axes = MapAxesOf(data);

  // Each experiment's result of this tier, parsed once; null when absent.
  std::map<std::string, std::optional<StoredResult>> results;
  auto result_of = [&](const std::string& experiment) -> const StoredResult* {
    auto it = results.find(experiment);
    if (it == results.end()) {
      std::optional<StoredResult> parsed;
      const nlohmann::json* j = Found(in, experiment, in.tier);
      if (j != nullptr && DisplayableResult(*j)) {
        absl::StatusOr<StoredResult> r = ParseStoredResult(*j, experiment);
        if (r.ok()) parsed = std::move(*r);
      }
      it = results.emplace(experiment, std::move(parsed)).first;
    }
    return it->second ? &*it->second : nullptr;
  };
  auto cell_list = [&](const std::vector<CellVerdict>& cells, const std::string& verdict) {
    std::vector<std::string> parts;
    for (const CellVerdict& c : cells) {
      if (c.verdict != verdict) continue;
      // The cell, then its estimate [99 % interval] and n, small (the
      // statistic is the claim's, named in the effect column).
      Claim as_claim;
      as_claim.effect = c.effect;
      if (as_claim.effect.is_object()) as_claim.effect["statistic"] = "";
      std::string effect = EffectCell(as_claim);
      while (!effect.empty() && effect.front() == ' ') effect.erase(0, 1);
      if (c.effect.is_object() && c.effect.contains("n"))
        absl::StrAppend(&effect, ", n = ", c.effect["n"].dump());
      parts.push_back(absl::StrCat(
          CellLabel(c.cell, axes),
          effect.empty() ? "" : absl::StrCat(" <small>", effect, "</small>")));
    }
    return parts.empty() ? std::string("none") : absl::StrJoin(parts, "<br>");
  };

  absl::StrAppend(
      &md,
      "Reviewer 1 of P2 (OpenReview, ICLR 2025) questioned the line the "
      "remainder clusters form and the XOR hypercube, and reported what they "
      "saw when they recreated the setup. Each sentence is quoted with the "
      "claims that test it ([claims.md](claims.md)). *Verdict of record* is "
      "the claim's own verdict, at the cell named below it (the reconstructed "
      "default unless said otherwise); the last three columns are the verdicts "
      "of the same rule in each cell of the RE-audit map (",
      axes.empty() ? std::string("its axes not recorded") : [&] {
        std::vector<std::string> a;
        for (const MapAxis& x : axes) a.push_back(AxisValues(x));
        return absl::StrJoin(a, ", ");
      }(),
      "), each with its effect and 99 % interval. All from this report's ", in.tier,
      " results; *(reconstr.)*: the setup is our reconstruction of P2's "
      "([Reconstructed setups (P2)](#reconstructed-setups-p2)).\n\n",
      "| reviewer's sentence | claim | verdict of record | effect [99 % interval] "
      "| map cells: reproduced | map cells: not reproduced | map cells: undecided |\n",
      "|---|---|---|---|---|---|---|\n");
  for (const ReviewerSentence& s : sentences) {
    for (size_t j = 0; j < s.claims.size(); ++j) {
      const AuditClaim& ac = s.claims[j];
      const std::string experiment = ac.id.substr(0, ac.id.find('/'));
      const std::string quoted =
          j == 0 ? absl::StrCat("\u201c", s.sentence, "\u201d<br><small>", s.by, "</small>")
                 : std::string("(the same sentence)");
      const StoredResult* r = result_of(experiment);
      const Claim* c = nullptr;
      if (r != nullptr)
        for (const Claim& x : r->claims)
          if (x.id == ac.id) c = &x;
      if (c == nullptr) {
        absl::StrAppend(
            &md, "| ", Cell(quoted), " | ", ac.id, " | ",
            Cell(r == nullptr
                     ? absl::StrCat("<span class=\"v-none\">not run</span><br><small>`tools/"
                                    "repro run ", experiment, " --tier=", in.tier,
                                    "`</small>")
                     : std::string("<span class=\"v-none\">not in this result</span>")),
            " | - | - | - | - |\n");
        continue;
      }
      // Where the verdict of record is decided.
      std::string where;
      if (ac.cell == "line" || ac.cell == "valid_line") {
        const bool valid = ac.cell == "valid_line";
        const std::string name = valid ? "the valid line cell" : "the line cell";
        const nlohmann::json line =
            r->data.value(valid ? "valid_line_cell" : "line_cell", nlohmann::json());
        where = line.is_object() && line.contains("dim") && line.contains("wd")
                    ? absl::StrCat(name, " d=", ObservedValue(line["dim"]),
                                   ", wd=", ObservedValue(line["wd"]))
                    : absl::StrCat(name, " (not recorded in the result)");
      } else if (experiment == "RE-audit") {
        const std::string cell = StringAt(c->observed, "cell");
        if (!cell.empty()) {
          where = absl::StrCat(absl::StrReplaceAll(cell, {{",", ", "}}), " (default)");
        } else {
          std::vector<std::string> parts;
          const nlohmann::json dc = data.value("default_cell", nlohmann::json::object());
          for (const char* k : {"d", "N", "m"})
            if (dc.is_object() && dc.contains(k))
              parts.push_back(absl::StrCat(k, "=", ObservedValue(dc[k])));
          where = absl::StrCat(absl::StrJoin(parts, ", "), " (default)");
        }
        if (c->effect.is_object() && c->effect.contains("group") &&
            c->effect["group"].is_string())
          absl::StrAppend(&where, "; effect of ", c->effect["group"].get<std::string>());
      } else {
        where = c->design.empty() ? std::string("its default design")
                                  : absl::StrCat("the default cell: ", c->design);
      }
      const std::string code = ReasonCode(*c, in.tier);
      const std::string verdict = absl::StrCat(
          "<span class=\"", VerdictClass(c->verdict), "\">", VerdictMark(c->verdict), " ",
          VerdictWords(c->verdict), "</span>", c->reconstructed ? " *(reconstr.)*" : "",
          "<br><small>at ", where,
          code != "decided" && code != "descriptive" ? absl::StrCat(" · ", code) : "",
          "</small>");
      std::string effect = EffectCell(*c);
      if (effect.empty()) effect = "-";
      else if (c->effect.contains("n"))
        absl::StrAppend(&effect, ", n = ", c->effect["n"].dump());
      std::string yes = "- (not decided per map cell)", no = "-", open = "-";
      if (experiment == "RE-audit") {
        const std::optional<std::vector<CellVerdict>> cells = CellVerdictsOf(data, ac.id);
        if (cells) {
          yes = cell_list(*cells, "reproduced");
          no = cell_list(*cells, "not_reproduced");
          std::map<std::string, int> codes;
          int undecided = 0;
          for (const CellVerdict& cv : *cells)
            if (cv.verdict != "reproduced" && cv.verdict != "not_reproduced") {
              ++undecided;
              ++codes[cv.reason_code.empty() ? "?" : cv.reason_code];
            }
          std::vector<std::string> parts;
          for (const auto& [k, n] : codes) parts.push_back(absl::StrCat(k, " ", n));
          open = absl::StrCat(undecided, " of ", cells->size(), " cells",
                              parts.empty() ? ""
                                            : absl::StrCat("<br><small>",
                                                           absl::StrJoin(parts, ", "),
                                                           "</small>"));
        }
      }
      absl::StrAppend(&md, "| ", Cell(quoted), " | [", ac.id, "](#",
                      Slug(ClaimHeading(ac.id)), ") | ", Cell(verdict), " | ",
                      Cell(effect), " | ", Cell(yes), " | ", Cell(no), " | ", Cell(open),
                      " |\n");
    }
  }
  const std::string geometry = LineGeometrySentence(data);
  absl::StrAppend(&md, "\n**Which setting decides the geometry.** ",
                  geometry.empty()
                      ? absl::StrCat("The ", in.tier, " result of RE-audit records no map "
                                     "axes or no per-cell verdicts of ", kLineClaim, ".")
                      : geometry,
                  " ", LineOccurrenceSentence(data), "\n\n");
  return md;
}

static std::string FigureHeader(const nlohmann::json& result, const std::string& origin) {
  const std::string tier = result.value("tier", "?");
  return absl::StrCat(tier, ", ", origin == "golden" ? "committed golden" : "this run",
                      ": ", TierScale({&result}));
}

absl::StatusOr<std::string> ReportMarkdown(const ReportInputs& in,
                                           const std::vector<FigureFiles>& figures) {
  ASSIGN_OR_RETURN(const ReportReference reference, CompiledReportReference());
  std::vector<StoredResult> stored;
  for (const nlohmann::json& r : in.results) {
    ASSIGN_OR_RETURN(StoredResult s,
                     ParseStoredResult(r, absl::StrCat("the ", in.tier, " result of ",
                                                       r.is_object()
                                                           ? r.value("experiment", "?")
                                                           : "?")));
    stored.push_back(std::move(s));
  }
  const std::vector<VerdictRow> rows = VerdictRows(
      in.by_tier, in.by_tier_origin,
      [](const std::string& e, const Claim& c) { return SourceShort(SourceOfClaim(e, c)); },
      "");
  std::string md = Head(in, rows);
  std::string toc =
      "## Contents\n\n- [Status of every claim](#status-of-every-claim)\n"
      "- [About this report](#about-this-report)\n";
  std::string body;

  // Claims in table order, numbered (the forest plot's row labels).
  std::vector<std::pair<std::string, std::string>> claims;  // experiment, id
  std::map<std::string, int> number;
  const std::vector<std::string> status_columns = StatusColumns(in);
  for (const VerdictRow& r : rows)
    if (!number.count(r.claim) &&
        std::find(status_columns.begin(), status_columns.end(), r.tier) !=
            status_columns.end()) {
      claims.push_back({r.experiment, r.claim});
      number[r.claim] = static_cast<int>(claims.size());
    }

  // At a glance: the forest plot beside the status table.
  const std::vector<std::string> columns = StatusColumns(in);
  absl::StrAppend(
      &body, "<div class=\"glance\">\n<div class=\"forest\">\n\n",
      "<a id=\"forest-plot\"></a>\n\n",
      "![Forest plot: every tested claim's effect with its 99 % interval, one "
      "row per claim (numbered as in the status table), a marker per tier]"
      "(figures/report_forest.png)\n\n",
      "*Forest plot.* Every tested claim, one row each (the number is the "
      "status table's #, then the statistic), one marker per tier with its 99 "
      "% interval. Effects have different statistics, so each row is "
      "normalised on its own: 0 is the claim's null (dashed), the claimed "
      "side points right, the row's widest interval or threshold ends at "
      "+-1, odds ratios are taken on a log scale first, and unbounded ends "
      "stop at the frame. The red tick is the claim's threshold where its "
      "reason states it. The numbers are in the table and in "
      "[verdicts.csv](verdicts.csv). Data: [csv](figures/report_forest.csv), "
      "script: [gp](figures/report_forest.gp).\n\n</div>\n<div class=\"status\">\n\n");
  absl::StrAppend(&body, "## Status of every claim\n\n",
                  "\u2714 reproduced, \u2718 not reproduced, ? undecided, ~ "
                  "descriptive; the small line is the reason code and the "
                  "valid/planned runs (full reasons in each claim's section); "
                  "`not run` gives `repro list`'s estimate. Each header gives "
                  "the tier's scale (most frequent p and d, steps, runs) and "
                  "where its results come from.\n\n| # | claim |");
  for (const std::string& t : columns) {
    const std::string scale = ScaleOf(in, t), origin = TierOrigin(in, t);
    absl::StrAppend(&body, " ", t,
                    scale.empty() && origin.empty()
                        ? ""
                        : absl::StrCat("<br><small>",
                                       scale.empty() || origin.empty()
                                           ? scale + origin
                                           : absl::StrCat(scale, "; ", origin),
                                       "</small>"),
                    " |");
  }
  absl::StrAppend(&body, " src |\n|---|---|");
  for (size_t i = 0; i < columns.size(); ++i) absl::StrAppend(&body, "---|");
  absl::StrAppend(&body, "---|\n");
  bool outside = false;
  for (const auto& [e, id] : claims) {
    bool reconstructed = false;
    std::string source;  // of the claim's first row (the same at every tier)
    for (const VerdictRow& r : rows)
      if (r.claim == id) {
        reconstructed = reconstructed || r.typed.reconstructed;
        outside = outside || EstimateOutside(r.typed);
        if (source.empty()) source = r.source;
      }
    absl::StrAppend(&body, "| ", number[id], " | [",
                    absl::StrReplaceAll(id, {{"/", "/<wbr>"}}), "](#", Slug(ClaimHeading(id)),
                    ")", reconstructed ? " *(reconstr.)*" : "", " |");
    for (const std::string& t : columns)
      absl::StrAppend(&body, " ", Cell(StatusCell(in, rows, e, id, t)), " |");
    absl::StrAppend(&body, " ", Cell(source), " |\n");
  }
  absl::StrAppend(&body, "\n");
  if (outside)
    absl::StrAppend(&body,
                    "<sup>†</sup> The estimate lies outside its own interval: a "
                    "perfect Spearman rho = +-1 on n units has no Bonett-Wright "
                    "interval, so the interval shown is that of the nearest "
                    "attainable rho, 1 - 12 / (n (n^2 - 1)).\n\n");
  absl::StrAppend(&body, "</div>\n</div>\n\n", About(in));
  absl::StrAppend(&toc, "- [Auditing reviewer 1](#auditing-reviewer-1)\n");
  absl::StrAppend(&body, ReviewerAuditMarkdown(in, reference.reviewer_audit));

  // Per experiment and claim.
  int figure_number = 0;
  for (size_t i = 0; i < in.results.size(); ++i) {
    const auto& r = in.results[i];
    const StoredResult& result = stored[i];
    const std::string name = result.experiment.empty() ? "?" : result.experiment;
    const std::string heading = absl::StrCat(name, " (", in.tier, " tier)");
    absl::StrAppend(&toc, "- [", heading, "](#", Slug(heading), ")\n");
    const std::string golden =
        i < in.golden_match.size() && !in.golden_match[i].empty()
            ? in.golden_match[i]
            : "not checked";
    std::vector<std::string> sources;
    for (const ClaimSource& s : SourcesOfExperiment(name, result.claims))
      sources.push_back(SourceLong(s));
    absl::StrAppend(&body, "## ", heading, "\n\n", result.description, "\n\n",
                    sources.size() > 1 ? "Sources: " : "Source: ",
                    absl::StrJoin(sources, " / "), ". Runs: ", result.num_runs,
                    " (diverged: ", result.num_diverged, "). Golden: ", golden, ".\n\n");
    const FigureFiles files = i < figures.size() ? figures[i] : FigureFiles();
    const nlohmann::json& figs = result.figures;
    // Figures of this result, then those only the compared tier has.
    std::vector<int> numbers;
    for (size_t k = 0; k < figs.size(); ++k) numbers.push_back(++figure_number);
    std::vector<size_t> compare_only;
    const nlohmann::json cfigs =
        files.compare_result.is_object()
            ? files.compare_result.value("figures", nlohmann::json::array())
            : nlohmann::json::array();
    for (size_t k = 0; k < cfigs.size(); ++k) {
      bool paired = false;
      for (const auto& f : figs) paired = paired || f.value("name", "") == cfigs[k].value("name", "");
      if (!paired) {
        compare_only.push_back(k);
        numbers.push_back(++figure_number);
      }
    }
    std::vector<std::string> refs;
    for (int n : numbers)
      refs.push_back(absl::StrCat("[Figure ", n, "](#figure-", n, ")"));
    for (const Claim& c : result.claims) {
      const std::string& id = c.id;
      absl::StrAppend(&toc, "  - [", id, "](#", Slug(ClaimHeading(id)), ")\n");
      absl::StrAppend(&body, "### ", ClaimHeading(id), "\n\n");
      absl::StrAppend(&body, "- **Claim**: ", c.statement.empty() ? "-" : c.statement,
                      " (", SourceLong(SourceOfClaim(name, c)), ")\n");
      absl::StrAppend(&body, "- **Rule**: ", c.rule.empty() ? "-" : c.rule, "\n");
      const std::string effect = EffectText(c);
      if (!effect.empty()) {
        const nlohmann::json& e = c.effect;
        absl::StrAppend(&body, "- **Effect**: ", effect, " (99 % interval), n = ",
                        e.contains("n") ? e["n"].dump() : "-", " ",
                        e.value("unit", ""),
                        e.contains("group") && e["group"].is_string()
                            ? absl::StrCat(" (", e["group"].get<std::string>(), ")")
                            : "",
                        EstimateOutside(c)
                            ? " (a perfect rho: the interval is the nearest "
                              "attainable rho's, see the status table's note)"
                            : "",
                        "\n");
      }
      if (c.runs.is_object()) {
        std::string excluded;
        if (c.runs.contains("excluded") && c.runs["excluded"].is_object())
          for (auto it = c.runs["excluded"].begin(); it != c.runs["excluded"].end(); ++it)
            absl::StrAppend(&excluded, excluded.empty() ? "" : ", ", it.key(),
                            " ", it.value().dump());
        absl::StrAppend(&body, "- **Runs**: ", c.runs.value("valid", 0),
                        " valid of ", c.runs.value("planned", 0),
                        " planned; excluded: ",
                        excluded.empty() ? "none" : excluded, "\n");
      }
      if (!c.observed.empty())
        absl::StrAppend(&body, "- **Observed**: ", ObservedText(c.observed), "\n");
      const std::string& v = c.verdict;
      absl::StrAppend(&body, "- **Verdict**: <span class=\"", VerdictClass(v), "\">",
                      VerdictMark(v), " ", VerdictWords(v), "</span> (`",
                      ReasonCode(c, in.tier), "`)",
                      c.reconstructed
                          ? " (setup reconstructed: P2's body is unavailable)"
                          : "",
                      "\n");
      if (!c.reason.empty())
        absl::StrAppend(&body, "- **Why**: ", ReasonText(c.reason), "\n");
      if (c.to_decide.is_object())
        absl::StrAppend(&body, "- **To decide**: `",
                        c.to_decide.value("command", ""), "` (",
                        CoreHours(c.to_decide), ")\n");
      absl::StrAppend(&body, "- **Design**: ", DesignText(r, c).empty() ? "-" : DesignText(r, c),
                      "\n");
      absl::StrAppend(&body, DependencyLine(in, name, id));
      if (!refs.empty())
        absl::StrAppend(&body, "- **Shown in**: ", absl::StrJoin(refs, ", "), "\n");
      absl::StrAppend(&body, "\n");
    }
    // One figure: this run's panel and, when found, the higher tier's
    // panel of the same name beside it.
    const std::string this_header = FigureHeader(r, Origin(in, name, in.tier));
    const std::string compare_header =
        files.compare_result.is_object()
            ? FigureHeader(files.compare_result, Origin(in, name, files.compare_tier))
            : "";
    auto panel = [&](const nlohmann::json& f, const std::string& stem,
                     const std::string& header) {
      const std::string alt = absl::StrCat(f.value("title", ""), ": ",
                                           f.value("ylabel", ""), " against ",
                                           f.value("xlabel", ""), " (", header, ")");
      return absl::StrCat("<div class=\"panel\">\n\n**", header, "**\n\n![",
                          absl::StrReplaceAll(alt, {{"[", "("}, {"]", ")"}}),
                          "](figures/", stem, ".png)\n\nData: [csv](figures/", stem,
                          ".csv), [gp](figures/", stem, ".gp), [svg](figures/", stem,
                          ".svg)\n\n</div>\n");
    };
    auto emit = [&](int number, const nlohmann::json& f, const std::string& stem,
                    const nlohmann::json* cf, const std::string& cstem,
                    const nlohmann::json& caption_result) {
      std::string caption = f.value("caption", "");
      if (caption.empty()) caption = f.value("title", "");
      caption = CheckedCaption(Caption99(caption), f, caption_result);
      const std::string paper = f.value("paper_figure", "");
      absl::StrAppend(&body, "<a id=\"figure-", number, "\"></a>\n\n<div class=\"figrow\">\n");
      if (!stem.empty()) absl::StrAppend(&body, panel(f, stem, this_header));
      if (cf != nullptr && !cstem.empty())
        absl::StrAppend(&body, panel(*cf, cstem, compare_header));
      absl::StrAppend(&body, "</div>\n\n*Figure ", number, ".* ", caption,
                      paper.empty() ? " (our figure; P1 has none)"
                                    : absl::StrCat(" (cf. ", paper, ")"),
                      "\n\n");
    };
    for (size_t k = 0; k < figs.size() && k < files.stems.size(); ++k) {
      const nlohmann::json* cf = nullptr;
      std::string cstem;
      for (size_t m = 0; m < cfigs.size() && m < files.compare_stems.size(); ++m)
        if (cfigs[m].value("name", "") == figs[k].value("name", "")) {
          cf = &cfigs[m];
          cstem = files.compare_stems[m];
        }
      emit(numbers[k], figs[k], files.stems[k], cf, cstem, r);
    }
    for (size_t j = 0; j < compare_only.size(); ++j) {
      const size_t m = compare_only[j];
      if (m >= files.compare_stems.size()) continue;
      // Only the higher tier draws it: its panel alone.
      absl::StrAppend(&body, "<a id=\"figure-", numbers[figs.size() + j],
                      "\"></a>\n\n<div class=\"figrow\">\n",
                      panel(cfigs[m], files.compare_stems[m], compare_header),
                      "</div>\n\n*Figure ", numbers[figs.size() + j], ".* ",
                      CheckedCaption(Caption99(cfigs[m].value("caption", "")), cfigs[m],
                                     files.compare_result),
                      " (only the ", files.compare_tier, " tier draws it)\n\n");
    }
    if (result.notes.is_array() && !result.notes.empty()) {
      absl::StrAppend(&body, "Notes:\n\n");
      for (const auto& n : result.notes)
        absl::StrAppend(&body, "- ", n.is_string() ? n.get<std::string>() : n.dump(), "\n");
      absl::StrAppend(&body, "\n");
    }
  }

  // Reference sections.
  absl::StrAppend(&toc, "- [Deviations from P1's code](#deviations-from-p1s-code)\n",
                  "- [Reconstructed setups (P2)](#reconstructed-setups-p2)\n",
                  "- [Glossary](#glossary)\n");
  absl::StrAppend(&body, "## Deviations from P1's code\n\n",
                  "P1's public code (commit 40d73ed; line links open the "
                  "lines) against ours. We reproduce what the paper meant "
                  "and say so where a figure may differ.\n\n",
                  "| P1 file:line | what P1 does | what we do | can it change a verdict? |\n",
                  "|---|---|---|---|\n");
  for (const Deviation& d : reference.deviations) {
    const std::string lines = d.first == d.last
                                  ? absl::StrCat(d.first)
                                  : absl::StrCat(d.first, "-", d.last);
    const std::string anchor = d.first == d.last
                                   ? absl::StrCat("#L", d.first)
                                   : absl::StrCat("#L", d.first, "-L", d.last);
    absl::StrAppend(&body, "| [`", d.file, ":", lines, "`](", kP1Code, d.file,
                    anchor, ") | ", Cell(d.p1), " | ", Cell(d.ours), " | ",
                    Cell(d.verdict), " |\n");
  }
  absl::StrAppend(&body, "\n## Reconstructed setups (P2)\n\n",
                  "P2's body is not available; these choices are ours, each "
                  "a parameter, and every verdict that rests on them is "
                  "marked *reconstructed*.\n\n",
                  "| choice | ours | parameter |\n|---|---|---|\n");
  for (const Reconstruction& r : reference.reconstructions)
    absl::StrAppend(&body, "| ", r.choice, " | ", Cell(r.ours), " | ",
                    Cell(r.parameter), " |\n");
  absl::StrAppend(&body, "\n## Glossary\n\n| term | definition |\n|---|---|\n");
  for (const GlossaryTerm& t : reference.glossary)
    absl::StrAppend(&body, "| ", t.term, " | ", Cell(t.definition), " |\n");
  absl::StrAppend(&body, "\n");
  return absl::StrCat(md, toc, "\n", body);
}

absl::StatusOr<std::string> MarkdownToHtml(const std::string& body_md,
                                           const std::string& toc_md) {
  cmark_gfm_core_extensions_ensure_registered();
  auto render = [](const std::string& text) -> std::string {
    const int options = CMARK_OPT_UNSAFE;  // our own text: keep figure anchors
    cmark_parser* parser = cmark_parser_new(options);
    for (const char* name : {"table", "autolink", "strikethrough"}) {
      cmark_syntax_extension* ext = cmark_find_syntax_extension(name);
      if (ext != nullptr) cmark_parser_attach_syntax_extension(parser, ext);
    }
    cmark_parser_feed(parser, text.data(), text.size());
    cmark_node* doc = cmark_parser_finish(parser);
    // Every heading gets the GitHub-style id its links use.
    cmark_iter* it = cmark_iter_new(doc);
    std::vector<cmark_node*> headings;
    for (cmark_event_type ev; (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE;) {
      cmark_node* node = cmark_iter_get_node(it);
      if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(node) == CMARK_NODE_HEADING)
        headings.push_back(node);
    }
    cmark_iter_free(it);
    for (cmark_node* h : headings) {
      std::string text_of;
      cmark_iter* hi = cmark_iter_new(h);
      for (cmark_event_type ev; (ev = cmark_iter_next(hi)) != CMARK_EVENT_DONE;) {
        cmark_node* n = cmark_iter_get_node(hi);
        if (ev == CMARK_EVENT_ENTER && (cmark_node_get_type(n) == CMARK_NODE_TEXT ||
                                        cmark_node_get_type(n) == CMARK_NODE_CODE))
          text_of += cmark_node_get_literal(n);
      }
      cmark_iter_free(hi);
      cmark_node* anchor = cmark_node_new(CMARK_NODE_HTML_INLINE);
      const std::string html = absl::StrCat("<a id=\"", Slug(text_of),
                                            "\" class=\"anchor\"></a>");
      cmark_node_set_literal(anchor, html.c_str());
      cmark_node_prepend_child(h, anchor);
    }
    char* out = cmark_render_html(doc, options, cmark_parser_get_syntax_extensions(parser));
    std::string result(out);
    free(out);
    cmark_node_free(doc);
    cmark_parser_free(parser);
    return result;
  };
  return absl::StrCat(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>initrepro: reproduction report</title>\n<style>\n",
      std::string(ReportCssText()), "</style></head>\n<body><div class=\"layout\">\n",
      "<nav class=\"toc\"><details open><summary><b>Contents</b></summary>\n",
      render(toc_md), "</details></nav>\n<main>\n", render(body_md),
      "</main></div>\n"
      // Narrow screens: the contents start folded (one line, sticky).
      "<script>if (window.innerWidth < 1000) "
      "document.querySelector('nav.toc details').removeAttribute('open');"
      "</script>\n</body></html>\n");
}

std::string VerdictTable(const std::vector<nlohmann::json>& results,
                         const std::map<std::string, nlohmann::json>& nightly) {
  // Columns as wide as their longest entry, so every row lines up; under an
  // undecided claim, why and what would decide it.
  auto effect_text = [&](const Claim& c) -> std::string {
    const std::string e = EffectShort(c);
    return e.empty() ? "-" : e;
  };
  auto runs_text = [](const Claim& c) -> std::string {
    if (!c.runs.is_object()) return "-";
    return absl::StrCat(c.runs.value("valid", 0), "/", c.runs.value("planned", 0));
  };
  auto verdict_text = [](const Claim& c, const std::string& tier) {
    std::string v = absl::StrCat(VerdictMark(c.verdict), " ", VerdictWord(c.verdict));
    const std::string code = ReasonCode(c, tier);
    if (code != "decided" && code != "descriptive") absl::StrAppend(&v, " (", code, ")");
    if (c.reconstructed) v += " [reconstr.]";
    return v;
  };
  // The committed nightly claim, when the golden reads and has it.
  auto nightly_claim = [&](const std::string& experiment,
                           const std::string& id) -> std::optional<Claim> {
    auto n = nightly.find(experiment);
    if (n == nightly.end() || !DisplayableResult(n->second)) return std::nullopt;
    absl::StatusOr<StoredResult> golden = ParseStoredResult(n->second, experiment);
    if (!golden.ok()) return std::nullopt;
    for (const Claim& c : golden->claims)
      if (c.id == id) return c;
    return std::nullopt;
  };
  // The committed nightly verdict of a claim, "-" when none.
  auto nightly_text = [&](const std::string& experiment, const std::string& id) {
    auto n = nightly.find(experiment);
    if (n == nightly.end()) return std::string("-");
    if (!DisplayableResult(n->second)) return std::string("stale format");
    if (!ParseStoredResult(n->second, experiment).ok())
      return std::string("unreadable golden");
    const std::optional<Claim> c = nightly_claim(experiment, id);
    return c ? absl::StrCat(verdict_text(*c, "nightly"), " ", runs_text(*c))
             : std::string("-");
  };
  const bool with_nightly = !nightly.empty();
  // The marks are multi-byte: widths and padding count display columns.
  auto width = [](const std::string& s) {
    size_t chars = 0;
    for (unsigned char ch : s) chars += (ch & 0xC0) != 0x80;
    return chars;
  };
  auto pad = [&](const std::string& s, size_t w) {
    const size_t n = width(s);
    return s + std::string(w > n ? w - n : 0, ' ');
  };
  // A result that does not read is one line saying so, never an abort.
  std::vector<absl::StatusOr<StoredResult>> stored;
  for (const auto& r : results) stored.push_back(ParseStoredResult(r, "result"));
  size_t cw = 5, vw = 7, ew = 22, rw = 10;
  for (const auto& r : stored) {
    if (!r.ok()) continue;
    for (const Claim& c : r->claims) {
      cw = std::max(cw, width(c.id));
      vw = std::max(vw, width(verdict_text(c, r->tier)));
      ew = std::max(ew, width(effect_text(c)));
      rw = std::max(rw, width(runs_text(c)));
    }
  }
  std::string out = absl::StrCat(pad("claim", cw), "  ", pad("verdict", vw), "  ",
                                 pad("effect [99 % interval]", ew), "  ",
                                 pad("valid/plan", rw));
  if (with_nightly) absl::StrAppend(&out, "  nightly (committed golden)");
  absl::StrAppend(&out, "\n");
  for (const auto& r : stored) {
    if (!r.ok()) {
      absl::StrAppend(&out, "(unreadable ", r.status().message(), ")\n");
      continue;
    }
    for (const Claim& c : r->claims) {
      std::string line = absl::StrCat(pad(c.id, cw), "  ", pad(verdict_text(c, r->tier), vw),
                                      "  ", pad(effect_text(c), ew), "  ",
                                      pad(runs_text(c), rw));
      if (with_nightly) absl::StrAppend(&line, "  ", nightly_text(r->experiment, c.id));
      while (!line.empty() && line.back() == ' ') line.pop_back();
      absl::StrAppend(&out, line, "\n");
      if (c.verdict == "undecided_at_this_scale" && !c.reason.empty())
        absl::StrAppend(&out, "    why: ", c.reason, "\n");
      if (c.to_decide.is_object())
        absl::StrAppend(&out, "    to decide: ", c.to_decide.value("command", ""), " (",
                        CoreHours(c.to_decide), ")\n");
      // Advice that points at nightly, where the committed golden is
      // undecided too, would cost a run and decide nothing: say so, with
      // nightly's own (planner's) way forward.
      if (with_nightly && r->tier != "nightly" && c.to_decide.is_object() &&
          c.to_decide.value("tier", "") == "nightly") {
        const std::optional<Claim> n = nightly_claim(r->experiment, c.id);
        if (n && n->verdict == "undecided_at_this_scale" && n->to_decide.is_object())
          absl::StrAppend(&out, "    nightly (committed golden) is undecided too; to decide there: ",
                          n->to_decide.value("command", ""), " (", CoreHours(n->to_decide),
                          ")\n");
      }
    }
  }
  return out;
}

absl::Status WriteReport(const ReportInputs& in, const std::string& dir) {
  RETURN_IF_ERROR(MakeDirs(dir + "/figures"));
  // Each result's figures, with its tier and scale in the title; beside
  // them the highest other tier found of the same experiment, above this
  // run's tier (e.g. nightly beside ci), drawn from its golden figure data.
  auto titled = [](nlohmann::json r) {
    const std::string scale = TierScale({&r});
    for (auto& f : r["figures"])
      f["title"] = absl::StrCat(f.value("title", ""), "\n[", r.value("tier", "?"),
                                scale.empty() ? "" : ": ", scale, "]");
    return r;
  };
  std::vector<FigureFiles> figures;
  for (const auto& r : in.results) {
    FigureFiles files;
    if (!r.contains("figures") || !r["figures"].is_array()) {
      figures.push_back(files);
      continue;
    }
    ASSIGN_OR_RETURN(files.stems, RenderFigures(titled(r), dir + "/figures"));
    const std::string e = r.value("experiment", "");
    auto tiers = in.by_tier.find(e);
    if (tiers != in.by_tier.end()) {
      for (const std::string& t : TierOrder()) {
        if (TierRank(t) <= TierRank(in.tier)) continue;
        auto found = tiers->second.find(t);
        if (found == tiers->second.end() || !DisplayableResult(found->second) ||
            !found->second.contains("figures") || !found->second["figures"].is_array())
          continue;
        files.compare_tier = t;
        files.compare_result = found->second;
      }
    }
    if (!files.compare_tier.empty()) {
      ASSIGN_OR_RETURN(files.compare_stems,
                       RenderFigures(titled(files.compare_result), dir + "/figures",
                                     "." + files.compare_tier));
    }
    figures.push_back(files);
  }
  // The forest plot, drawn like any figure.
  const std::vector<VerdictRow> rows =
      VerdictRows(in.by_tier, in.by_tier_origin,
                  [](const std::string& e, const Claim& c) {
                    return SourcePlain(SourceOfClaim(e, c));
                  },
                  CommitHash());
  std::map<std::string, int> number;
  const std::vector<std::string> columns = StatusColumns(in);
  for (const VerdictRow& r : rows)
    if (!number.count(r.claim) &&
        std::find(columns.begin(), columns.end(), r.tier) != columns.end())
      number[r.claim] = static_cast<int>(number.size()) + 1;
  nlohmann::json forest_result = {{"experiment", "report"},
                                  {"figures", {ForestFigure(rows, number, in)}}};
  RETURN_IF_ERROR(RenderFigures(forest_result, dir + "/figures").status());
  RETURN_IF_ERROR(WriteFileAtomic(dir + "/verdicts.csv", VerdictsCsv(rows)));
  RETURN_IF_ERROR(
      WriteFileAtomic(dir + "/verdicts.json", VerdictsJson(rows).dump(1) + "\n"));

  ASSIGN_OR_RETURN(const std::string markdown, ReportMarkdown(in, figures));
  const std::string md = WithoutPaperMd(markdown);
  // One source, two views: the HTML is the same markdown, with the
  // contents list moved into the navigation column.
  const size_t toc_begin = md.find("## Contents\n");
  // The contents end where the body starts: the at-a-glance block or the
  // next heading.
  const size_t toc_end = std::min(md.find("\n<div class=\"glance\">", toc_begin + 1),
                                  md.find("\n## ", toc_begin + 1));
  std::string toc, body = md;
  if (toc_begin != std::string::npos && toc_end != std::string::npos) {
    toc = md.substr(toc_begin + 12, toc_end + 1 - (toc_begin + 12));
    body = md.substr(0, toc_begin) + md.substr(toc_end + 1);
  }
  ASSIGN_OR_RETURN(std::string html, MarkdownToHtml(body, toc));
  RETURN_IF_ERROR(WriteFileAtomic(dir + "/claims.md", ClaimsMarkdown()));
  RETURN_IF_ERROR(WriteFileAtomic(dir + "/report.md", md));
  return WriteFileAtomic(dir + "/report.html", html);
}

}  // namespace initrepro
