// Early-return helpers for absl::Status / absl::StatusOr.
//
// Debian's Abseil 20220623 ships neither RETURN_IF_ERROR nor ASSIGN_OR_RETURN,
// so the project defines its own once, here.
#ifndef INITREPRO_SRC_CORE_STATUS_MACROS_H_
#define INITREPRO_SRC_CORE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define INITREPRO_CONCAT_INNER_(a, b) a##b
#define INITREPRO_CONCAT_(a, b) INITREPRO_CONCAT_INNER_(a, b)

// RETURN_IF_ERROR(expr): returns the status of `expr` from the enclosing
// function when it is not OK.
#define RETURN_IF_ERROR(expr)                          \
  do {                                                 \
    ::absl::Status initrepro_status_ = (expr);         \
    if (!initrepro_status_.ok()) return initrepro_status_; \
  } while (0)

// ASSIGN_OR_RETURN(lhs, expr): evaluates the StatusOr `expr`; on error returns
// its status, otherwise move-assigns the value to `lhs` (which may declare).
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(INITREPRO_CONCAT_(initrepro_or_, __LINE__), lhs, expr)

#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) return tmp.status();          \
  lhs = std::move(tmp).value()

#endif  // INITREPRO_SRC_CORE_STATUS_MACROS_H_
