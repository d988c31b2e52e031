// Crash-safe file and directory primitives.
//
// Every artifact the harness writes (weights, goldens, hashes) is read back
// later as evidence, so a reader must never see a half-written file: files are
// written to a temp name beside the target, fsynced, then renamed over it, and
// whole output directories are published by one rename.
//
// Errors from the OS keep their errno in the status code (absl::ErrnoToStatus,
// e.g. ENOENT -> kNotFound) and the message names the path and strerror.
#ifndef INITREPRO_SRC_IO_ATOMIC_FILE_H_
#define INITREPRO_SRC_IO_ATOMIC_FILE_H_

#include <sys/types.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace initrepro {

// Replaces `path` with exactly `bytes`. Writes "<dir>/.<name>.tmp.<pid>.<n>"
// in the same directory (same filesystem, so the rename is atomic), fsyncs it,
// renames it over `path`, then fsyncs the directory so the rename survives a
// crash. After any failure the temp file is removed and `path` holds either
// its old content or does not exist; it is never partial. The parent
// directory must exist (see MakeDirs). The new file's mode is 0666 & ~umask.
// If only the final directory fsync fails, `path` already holds `bytes` but
// durability is not guaranteed, so the error is still returned.
absl::Status WriteFileAtomic(const std::string& path, absl::string_view bytes);

// The same, with the new file's mode set to exactly `mode` (fchmod on the
// temp file before the rename, so the umask cannot clear bits and no reader
// ever sees the file with another mode), e.g. 0755 for an executable.
absl::Status WriteFileAtomic(const std::string& path, absl::string_view bytes,
                             mode_t mode);

// Returns the whole content of the regular file `path`.
absl::StatusOr<std::string> ReadFile(const std::string& path);

// mkdir -p: creates `path` and any missing parents (mode 0777 & ~umask).
// OK if it already exists as a directory; an error if any component exists
// as something else.
absl::Status MakeDirs(const std::string& path);

// rm -rf: removes `path` and, if it is a directory, everything below it.
// Symlinks are removed, never followed. OK if `path` does not exist.
absl::Status RemoveTree(const std::string& path);

// Publishes the fully written directory `from` under the name `to`. If `to`
// exists it is replaced and its old content deleted: whether replacing is
// allowed (e.g. never for a golden without --overwrite) is the caller's
// decision, made before calling. Where the filesystem supports it the swap is
// one atomic renameat2(RENAME_EXCHANGE), so readers see the old or the new
// tree, never neither; otherwise `to` is removed and then `from` renamed.
// `from` and `to` must be on the same filesystem. kNotFound if `from` is
// missing, in which case `to` is left untouched.
absl::Status RenameDirAtomic(const std::string& from, const std::string& to);

// Publishes `from` under the name `to` only if nothing exists at `to`:
// one renameat2(RENAME_NOREPLACE), so of two writers racing for `to` exactly
// one wins and the other's tree stays at `from`. AlreadyExists naming `to`
// when it exists. Where the filesystem lacks RENAME_NOREPLACE, checks then
// renames (rename(2) still refuses a non-empty `to`).
absl::Status RenameDirNoReplace(const std::string& from, const std::string& to);

// True if anything exists at `path`, including a dangling symlink (lstat).
bool PathExists(const std::string& path);

}  // namespace initrepro

#endif  // INITREPRO_SRC_IO_ATOMIC_FILE_H_
