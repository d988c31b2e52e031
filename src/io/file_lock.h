// Advisory exclusive locks on lock files (flock), and stale temp removal.
//
// One writer per target: `repro train --out=DIR` holds PARENT/.NAME.lock, and
// a sweep holds STORE/runs/KEY.lock while it trains and saves run KEY, so
// concurrent commands on one --out share the work instead of repeating it.
//
//   ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(path, FileLock::kWait));
//   ... check the target again, then write it ...
//   // released (and the lock file removed) when `lock` goes out of scope
//
// What it relies on: flock(2). On a local filesystem that is exact. On NFS,
// Linux clients (>= 2.6.12) emulate flock with POSIX byte-range locks, which
// need NFSv4 or lockd (NLM) on NFSv3; a mount with `nolock` or `local_lock`
// makes them node-local. Where the filesystem refuses locks (flock fails
// with ENOLCK, EOPNOTSUPP or EINVAL) Acquire warns once per process on
// stderr and returns an unheld lock: callers proceed without one. Results
// stay right (every file is still written atomically and every run is a pure
// function of its spec); only work may be duplicated.
//
// The lock file is removed on release. An acquirer that locked a file
// another holder has just removed notices (the path no longer names the
// inode it locked) and retries, so removal never lets two holders in.
//
// Thread-safety: flock locks belong to open file descriptions, so two
// threads of one process exclude each other as two processes do.
#ifndef INITREPRO_SRC_IO_FILE_LOCK_H_
#define INITREPRO_SRC_IO_FILE_LOCK_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace initrepro {

class FileLock {
 public:
  enum Mode { kWait, kTry };

  // Takes the exclusive lock on `path` (created 0666 & ~umask when absent;
  // its directory must exist). kWait blocks until it is free; kTry returns
  // Unavailable at once when another holder has it, the message naming
  // `path`. Other errors name `path` with strerror.
  static absl::StatusOr<FileLock> Acquire(const std::string& path, Mode mode);

  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

  // False when the filesystem does not support locks (see above).
  bool held() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }

 private:
  FileLock(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  void Release();

  std::string path_;
  int fd_ = -1;
};

// True when `pid` is a live process on this machine (kill(pid, 0)).
bool ProcessAlive(long pid);

// A temp file or directory of ours whose maker is gone.
struct DeadTemp {
  std::string path;    // DIR/ENTRY
  std::string target;  // the name it was to be renamed to, within DIR
  double age_seconds = 0;  // since its last modification
};

// The entries of `dir` named as our temps whose PID is not a live process
// here: ".NAME.tmp.PID.N" (WriteFileAtomic's, target NAME) and, when
// `dir_prefix` is not empty, "DIR_PREFIX.tmp.PID" (a directory written then
// renamed, e.g. `repro train`'s, target DIR_PREFIX). A dead PID alone does
// not prove a temp stale on a filesystem shared by several machines (the
// PID may be another machine's), so callers remove one only while holding
// the lock of its target, or, where locks are not supported, when it is
// older than any write of ours takes (kStaleTempSeconds). Unreadable `dir`:
// empty.
std::vector<DeadTemp> FindDeadTemps(const std::string& dir,
                                    const std::string& dir_prefix = "");

// No temp of ours lives this long: each is written, synced and renamed in
// one go.
inline constexpr double kStaleTempSeconds = 3600;

}  // namespace initrepro

#endif  // INITREPRO_SRC_IO_FILE_LOCK_H_
