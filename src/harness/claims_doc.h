// The claims document every report cites (OUT/report/claims.md) and the
// repository's docs/claims.md: the hand-written parts (papers, model,
// verdict rules, reconstructions: docs/claims_intro.md, compiled in) and
// one table per experiment generated from its ClaimSpecs, so the prose
// and the thresholds the verdicts use cannot disagree.
//
// `repro claims --format=md` prints it; //docs:claims_doc_test fails when
// the committed docs/claims.md differs from it.
#ifndef INITREPRO_SRC_HARNESS_CLAIMS_DOC_H_
#define INITREPRO_SRC_HARNESS_CLAIMS_DOC_H_

#include <string>
#include <utility>
#include <vector>

#include "src/verdict/claim_spec.h"

namespace initrepro {

// docs/claims_intro.md as compiled in.
std::string ClaimsIntroMarkdown();

// (experiment name, its claim specs) in report order.
using ClaimTable =
    std::vector<std::pair<std::string, std::vector<ClaimSpec>>>;

// The intro followed by one table per experiment of `table`.
std::string ClaimsMarkdown(const ClaimTable& table);

// The same for every registered experiment.
std::string ClaimsMarkdown();

}  // namespace initrepro

#endif  // INITREPRO_SRC_HARNESS_CLAIMS_DOC_H_
