// docs/claims.md, compiled in: the claims, rules and reconstructions every
// report cites (written next to it as claims.md).
#ifndef INITREPRO_SRC_HARNESS_CLAIMS_DOC_H_
#define INITREPRO_SRC_HARNESS_CLAIMS_DOC_H_

#include <string>

namespace initrepro {

std::string ClaimsMarkdown();

}  // namespace initrepro

#endif  // INITREPRO_SRC_HARNESS_CLAIMS_DOC_H_
