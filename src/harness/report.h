// The report: DIR/report.md, and DIR/report.html rendered from it with
// cmark-gfm (one source, two views), over experiment results.
//
// report.md, top to bottom:
//   front matter  title, both papers with links, what the harness checks and
//                 how, commit, date, CPU, the tiers covered with their cost,
//                 verdict counts per tier, how to read a verdict;
//   contents      links to every section and claim;
//   status        one row per claim: claim (linked to its section), source
//                 (paper section, P1 script), and the ci, nightly and paper
//                 verdicts, each with effect and 99 % interval, "not run"
//                 with the command and core-hours, or "stale format";
//   auditing reviewer 1: reviewer 1's sentences on P2, each with the
//                 claims testing it, their verdicts and the RE-audit map
//                 cells where they hold (ReviewerAuditMarkdown);
//   per experiment and claim: statement and source, rule, effect, runs,
//                 verdict with reason and way forward, design, golden
//                 status, and the numbered, captioned figures;
//   reference     deviations from P1's code (file:line links), reconstructed
//                 P2 setups, glossary.
// It also writes DIR/claims.md (docs/claims.md of the repository, which the
// report cites) and DIR/figures/* (src/harness/figures.h).
#ifndef INITREPRO_SRC_HARNESS_REPORT_H_
#define INITREPRO_SRC_HARNESS_REPORT_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "src/harness/experiment.h"

namespace initrepro {

struct ReportInputs {
  std::string tier;                       // the tier of `results`
  std::vector<nlohmann::json> results;    // result JSONs (as in golden/)
  std::vector<std::string> golden_match;  // per result: match, DIFFERS, ...
  // Every tier's result per experiment, as found (LoadTierResults); a
  // result whose format_version is not the current one is kept and shown
  // as "stale format: re-run".
  std::map<std::string, std::map<std::string, nlohmann::json>> by_tier;
  // experiment -> tier -> "out" (this run's OUT/results) or "golden" (a
  // committed golden file); missing = "out".
  std::map<std::string, std::map<std::string, std::string>> by_tier_origin;
  // experiment -> tier -> estimated single-core hours (repro list).
  std::map<std::string, std::map<std::string, double>> core_hours;
  double wall_seconds = -1;  // measured time of this command; < 0: unknown
};

// Reads, for each experiment and each tier, OUT/results/EXP.TIER.json, or
// else GOLDEN_DIR/EXP.TIER.json; absent files are skipped (the report says
// "not run"). A file that exists but cannot be read or is not a JSON object
// is an error naming it (DataLoss), never "not run".
// `origins`, when given, receives "out" or "golden" per (experiment, tier)
// found.
absl::StatusOr<std::map<std::string, std::map<std::string, nlohmann::json>>>
LoadTierResults(
    const std::vector<std::string>& experiments,
    const std::vector<std::string>& tiers, const std::string& out_dir,
    const std::string& golden_dir,
    std::map<std::string, std::map<std::string, std::string>>* origins = nullptr);

// Where a claim comes from: its spec's source (src/verdict/claim_spec.h).
// An empty `paper` means none is declared anywhere; the report then says
// "no source declared" (never a silent placeholder) and tests/report fails.
struct ClaimSource {
  std::string paper;      // e.g. "P1 Sec. 3.2.1; P2"
  std::string p1_script;  // e.g. "analysis/plot_num_circles.py"; "" when none
};
// The claim's own `source` (results of format 3), else that of its spec in
// the experiment registry (format 2 results carry none; "ID@STEP" and
// "ID@CELL" claims are ID's spec), else empty.
ClaimSource SourceOfClaim(const std::string& experiment, const Claim& claim);
// The distinct sources of an experiment's claims in claim order (of its
// registered specs when `claims` is empty); never empty (one empty source
// when none is declared).
std::vector<ClaimSource> SourcesOfExperiment(const std::string& experiment,
                                             const std::vector<Claim>& claims);
// Short ("[P1 §3.2.1](link to the P1 script)", the status table), long
// ("P1 Sec. 3.2.1; P2; P1 script [`x.py`](link)", the claim sections) and
// plain ("P1 Sec. 3.2.1; P2; P1 script x.py", verdicts.csv).
std::string SourceShort(const ClaimSource& source);
std::string SourceLong(const ClaimSource& source);
std::string SourcePlain(const ClaimSource& source);

// Writes DIR/report.md, DIR/report.html, DIR/claims.md, DIR/verdicts.csv,
// DIR/verdicts.json (src/harness/verdict_table.h) and DIR/figures/*
// (each experiment's figures at this tier and at the highest other tier
// found, and DIR/figures/forest.*).
absl::Status WriteReport(const ReportInputs& inputs, const std::string& dir);

// The figure files of one result of `inputs.results`: its own stems (as
// RenderFigures returns them) and, when a higher tier of the same
// experiment was found, that tier and its stems (drawn beside).
struct FigureFiles {
  std::vector<std::string> stems;
  std::string compare_tier;
  nlohmann::json compare_result;  // null when none
  std::vector<std::string> compare_stems;
};

// report.md's text (figures are not rendered; the forest plot is
// figures/forest.png). Fails only when the compiled-in reference tables
// (CompiledReportReference) do not parse.
absl::StatusOr<std::string> ReportMarkdown(const ReportInputs& inputs,
                           const std::vector<FigureFiles>& figures);

// The report's reference tables, data files under docs/report/ compiled
// into the binary (src/harness/report_data.h). Each file is
//   {"format_version": 1, "about": "...", KEY: [ {field: value, ...}, ... ]}
// with KEY "deviations" (deviations.json), "reconstructions"
// (reconstructions.json), "terms" (glossary.json) or "sentences"
// (reviewer_audit.json), entries in report
// order, every string field non-empty. Parse errors are InvalidArgument and
// name the file and the field, e.g. "docs/report/deviations.json: field
// 'deviations[3].first': expected a line number (an integer >= 1), found
// \"12\"".
struct Deviation {        // one row of "Deviations from P1's code"
  std::string file;       // P1's file, relative to its repository root
  int first = 0, last = 0;  // its lines (P1 commit 40d73ed), first <= last
  std::string p1, ours;   // what P1's code does; what we do
  std::string verdict;    // can it change a verdict?
};
struct Reconstruction {   // one row of "Reconstructed setups (P2)"
  std::string choice, ours, parameter;
};
struct GlossaryTerm {
  std::string term, definition;
};
// One row group of "Auditing reviewer 1" (reviewer_audit.json, KEY
// "sentences"): a sentence quoted verbatim and the claims that test it.
struct AuditClaim {
  std::string id;    // a claim id, "EXPERIMENT/name" (the experiment: before '/')
  std::string cell;  // "default" (the experiment's reconstructed default
                     // cell) or "line" (RE-completeness's line cell)
};
struct ReviewerSentence {
  std::string by;        // whose statement, e.g. "Reviewer 1, on P2's Figure 1"
  std::string sentence;  // verbatim, without surrounding quotes
  std::vector<AuditClaim> claims;  // at least one
};
struct ReportReference {
  std::vector<Deviation> deviations;
  std::vector<Reconstruction> reconstructions;
  std::vector<GlossaryTerm> glossary;
  std::vector<ReviewerSentence> reviewer_audit;
};
absl::StatusOr<std::vector<Deviation>> ParseDeviations(std::string_view text,
                                                       const std::string& file);
absl::StatusOr<std::vector<Reconstruction>> ParseReconstructions(
    std::string_view text, const std::string& file);
absl::StatusOr<std::vector<GlossaryTerm>> ParseGlossary(std::string_view text,
                                                        const std::string& file);
// reviewer_audit.json: besides the common errors, 'sentences[i].claims'
// must be a non-empty array, each 'claims[j].id' of the form "EXP/name",
// each 'claims[j].cell' "default" or "line" ("line" only for an
// RE-completeness claim).
absl::StatusOr<std::vector<ReviewerSentence>> ParseReviewerAudit(
    std::string_view text, const std::string& file);
// The four compiled-in files, parsed.
absl::StatusOr<ReportReference> CompiledReportReference();

// The section "Auditing reviewer 1" of report.md (heading included), built
// only from the results of `inputs.tier` in `inputs.by_tier` (RE-audit,
// RE-completeness, XOR-completeness): per sentence and claim, the verdict of
// record with its effect and 99 % interval, and the RE-audit map cells
// where the claim is reproduced / not reproduced
// (data.per_cell_verdicts[id]); below, LineGeometrySentence. Without a
// displayable RE-audit result of that tier (or one without
// data.per_cell_verdicts) the section is its heading and a one-line note.
std::string ReviewerAuditMarkdown(const ReportInputs& inputs,
                                  const std::vector<ReviewerSentence>& sentences);

// One plain sentence on which swept setting decides whether lines form,
// from RE-audit's data (map_axes, default_cell and
// per_cell_verdicts["RE-audit/P2-line"]); "" when those are absent. The
// rule is stated at its definition in report.cc; it names only where the
// reproduced cells lie and counts verdicts, never more than the cells show.
std::string LineGeometrySentence(const nlohmann::json& re_audit_data);
// The sentence after it: where any valid run forms a line (line fraction
// above 0), by the same axis rule on estimates instead of verdicts; ""
// without map axes or per-cell verdicts.
std::string LineOccurrenceSentence(const nlohmann::json& re_audit_data);

// GitHub-style heading anchor: lower case, spaces to '-', punctuation other
// than '-' and '_' dropped. report.html gives every heading this id.
std::string Slug(const std::string& heading);

// report.md -> HTML body with cmark-gfm (tables, autolinks) and heading
// ids; `toc` is rendered into a sticky navigation column.
absl::StatusOr<std::string> MarkdownToHtml(const std::string& body_md,
                                           const std::string& toc_md);

// The verdict table printed by `repro run` / the README's first command:
// per claim this run's verdict, effect and valid/planned runs, and, when
// `nightly` holds the experiment (committed goldens), the nightly verdict
// beside it.
std::string VerdictTable(
    const std::vector<nlohmann::json>& results,
    const std::map<std::string, nlohmann::json>& nightly = {});

// Rewrites references to PAPER.md (a file outside the repository, quoted
// in some result texts) to the report's own sections and docs/claims.md.
std::string WithoutPaperMd(const std::string& text);

}  // namespace initrepro

#endif  // INITREPRO_SRC_HARNESS_REPORT_H_
