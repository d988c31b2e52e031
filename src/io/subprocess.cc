#include "src/io/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace initrepro {
namespace {

// Which step failed in the child, sent back over the exec pipe with errno.
enum ChildStep : int { kChdir = 1, kExec = 2 };

void CloseAll(std::initializer_list<int> fds) {
  for (int fd : fds)
    if (fd >= 0) ::close(fd);
}

bool IsExecutableFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
         ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

std::string FindOnPath(const std::string& program) {
  if (program.empty()) return "";
  if (program.find('/') != std::string::npos)
    return IsExecutableFile(program) ? program : "";
  const char* path = std::getenv("PATH");
  // POSIX leaves an unset PATH implementation-defined; glibc's execvp uses
  // this default.
  const std::string dirs = path != nullptr ? path : "/bin:/usr/bin";
  for (absl::string_view dir : absl::StrSplit(dirs, ':')) {
    const std::string candidate =
        absl::StrCat(dir.empty() ? "." : dir, "/", program);
    if (IsExecutableFile(candidate)) return candidate;
  }
  return "";
}

std::string ShellQuote(const std::string& arg) {
  const bool safe =
      !arg.empty() && std::all_of(arg.begin(), arg.end(), [](char c) {
        return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
               std::strchr("_@%+=:,./-", c) != nullptr;
      });
  if (safe) return arg;
  std::string q = "'";
  for (char c : arg) {
    if (c == '\'')
      q += "'\\''";
    else
      q += c;
  }
  return q + "'";
}

std::string CommandLine(const std::vector<std::string>& argv) {
  std::vector<std::string> quoted;
  for (const std::string& a : argv) quoted.push_back(ShellQuote(a));
  return absl::StrJoin(quoted, " ");
}

absl::StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                         const ProcessOptions& options) {
  if (argv.empty()) return absl::InvalidArgumentError("RunProcess: empty argv");
  const std::string shown = CommandLine(argv);
  // Everything the child needs is built before fork: between fork and exec a
  // child of a multi-threaded process may only call async-signal-safe
  // functions (no malloc, hence no execvp PATH search there).
  const std::string program = FindOnPath(argv[0]);
  if (program.empty())
    return absl::NotFoundError(absl::StrCat(
        "`", shown, "`: cannot run ", argv[0],
        ": not found (is it installed and on PATH?)"));
  std::vector<char*> cargv;
  for (const std::string& a : argv)
    cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  const char* cwd = options.cwd.empty() ? nullptr : options.cwd.c_str();

  int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1}, exec_pipe[2] = {-1, -1};
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0 ||
      // Closed by a successful exec; otherwise carries {step, errno}.
      ::pipe2(exec_pipe, O_CLOEXEC) != 0) {
    const int e = errno;
    CloseAll({out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1],
              exec_pipe[0], exec_pipe[1]});
    return absl::ErrnoToStatus(e, absl::StrCat("`", shown, "`: pipe"));
  }
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int e = errno;
    CloseAll({out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1],
              exec_pipe[0], exec_pipe[1]});
    return absl::ErrnoToStatus(e, absl::StrCat("`", shown, "`: fork"));
  }
  if (pid == 0) {
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    int report[2] = {kChdir, 0};
    if (cwd == nullptr || ::chdir(cwd) == 0) {
      report[0] = kExec;
      ::execv(program.c_str(), cargv.data());
    }
    report[1] = errno;
    (void)!::write(exec_pipe[1], report, sizeof(report));
    ::_exit(127);
  }
  CloseAll({out_pipe[1], err_pipe[1], exec_pipe[1]});

  ProcessResult result;
  struct pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.stdout_text, &result.stderr_text};
  int open_fds = 2;
  while (open_fds > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[4096];
      const ssize_t n = ::read(fds[i].fd, buf, sizeof(buf));
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (const pollfd& p : fds)
    if (p.fd >= 0) ::close(p.fd);
  int report[2] = {0, 0};
  ssize_t got;
  do {
    got = ::read(exec_pipe[0], report, sizeof(report));
  } while (got < 0 && errno == EINTR);
  ::close(exec_pipe[0]);
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (got == static_cast<ssize_t>(sizeof(report))) {
    if (report[0] == kChdir)
      return absl::FailedPreconditionError(absl::StrCat(
          "`", shown, "`: cannot enter working directory ", options.cwd, ": ",
          std::strerror(report[1])));
    return absl::FailedPreconditionError(
        absl::StrCat("`", shown, "`: cannot run ", program, ": ",
                     std::strerror(report[1])));
  }
  if (WIFSIGNALED(wstatus)) {
    result.exit_code = -1;
    result.signal = WTERMSIG(wstatus);
  } else {
    result.exit_code = WEXITSTATUS(wstatus);
  }
  return result;
}

absl::StatusOr<std::string> RunProcessOk(const std::vector<std::string>& argv,
                                         const ProcessOptions& options) {
  absl::StatusOr<ProcessResult> r = RunProcess(argv, options);
  if (!r.ok()) return r.status();
  const std::string shown = CommandLine(argv);
  const std::string err(absl::StripAsciiWhitespace(r->stderr_text));
  if (r->signal != 0)
    return absl::InternalError(absl::StrCat("`", shown, "` killed by signal ",
                                            r->signal, err.empty() ? "" : ": ",
                                            err));
  if (r->exit_code != 0)
    return absl::FailedPreconditionError(
        absl::StrCat("`", shown, "` exited with status ", r->exit_code,
                     err.empty() ? "" : ": ", err));
  return std::move(r->stdout_text);
}

}  // namespace initrepro
