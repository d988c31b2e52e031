// The report's data files, compiled into the binary: each function returns
// one file's bytes exactly (a raw string literal written by the genrule
// //src/harness:report_data_cc). src/harness/report.cc parses them; the
// files' formats are described in their own `about` fields.
#ifndef INITREPRO_SRC_HARNESS_REPORT_DATA_H_
#define INITREPRO_SRC_HARNESS_REPORT_DATA_H_

#include <string_view>

namespace initrepro {

std::string_view DeviationsJsonText();       // docs/report/deviations.json
std::string_view ReconstructionsJsonText();  // docs/report/reconstructions.json
std::string_view GlossaryJsonText();         // docs/report/glossary.json
std::string_view ReportCssText();            // docs/report/report.css
std::string_view ReviewerAuditJsonText();    // docs/report/reviewer_audit.json

}  // namespace initrepro

#endif  // INITREPRO_SRC_HARNESS_REPORT_DATA_H_
