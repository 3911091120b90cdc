#include "cairn_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>
#include <vector>

namespace cairn::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Interval between two looks at a condition we wait for (a deadline bounds
// every wait; the interval only bounds how late we notice).
constexpr std::chrono::milliseconds kPollInterval(20);

std::string DefaultBinary() {
  if (const char* env = std::getenv("CAIRN_BINARY"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "cairn";
  return (self.parent_path() / ".." / ".." / "cairn").lexically_normal().string();
}

std::string MakeDataDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/cairn-test-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp(" << templ << "): " << std::strerror(errno);
    return templ;
  }
  return buf.data();
}

// A socket to 127.0.0.1:port with send and receive timeouts, or -1.
int ConnectLocal(uint16_t port, int timeout_seconds) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  timeval tv{};
  tv.tv_sec = timeout_seconds;
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool SendAll(int fd, const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return false;
    }
    sent += static_cast<size_t>(n);
  }
  return true;
}

bool RecvExactly(int fd, char* buf, size_t len) {
  size_t got = 0;
  while (got < len) {
    ssize_t n = recv(fd, buf + got, len - got, 0);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return false;
    }
    got += static_cast<size_t>(n);
  }
  return true;
}

void AppendInt32(std::string* out, uint32_t v) {
  uint32_t be = htonl(v);
  out->append(reinterpret_cast<const char*>(&be), 4);
}

// Whether the destructor keeps the log tail and data of a failed run: the
// current test failed, or, outside any test (a node owned by a global test
// environment), any test or the environment did.
bool RunFailed() {
  if (::testing::Test::HasFailure()) return true;
  const ::testing::UnitTest* unit = ::testing::UnitTest::GetInstance();
  return unit->current_test_info() == nullptr && !unit->Passed();
}

}  // namespace

CairnProcess::CairnProcess() : binary_(DefaultBinary()), data_dir_(MakeDataDir()) { PickPorts(); }

void CairnProcess::PickPorts() {
  const std::vector<uint16_t> ports = FreeLoopbackPorts(3);
  sql_port_ = ports[0];
  rpc_port_ = ports[1];
  http_port_ = ports[2];
}

std::vector<uint16_t> FreeLoopbackPorts(int n) {
  std::vector<int> fds;
  std::vector<uint16_t> ports;
  for (int i = 0; i < n; ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ADD_FAILURE() << "cannot pick a free port: " << std::strerror(errno);
    }
    if (fd >= 0) fds.push_back(fd);
    ports.push_back(ntohs(addr.sin_port));
  }
  for (int fd : fds) close(fd);
  return ports;
}

CairnProcess::~CairnProcess() {
  if (running()) Kill();
  const bool failed = RunFailed();
  if (failed) {
    std::fprintf(stderr, "---- tail of %s ----\n%s---- end of server log ----\n",
                 log_path().c_str(), LogTail(60).c_str());
  }
  const char* keep = std::getenv("CAIRN_KEEP_DATA");
  if (failed && keep != nullptr && *keep != '\0') {
    std::fprintf(stderr, "CAIRN_KEEP_DATA: kept data dir %s\n", data_dir_.c_str());
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(data_dir_, ec);
}

std::string CairnProcess::Dsn(const std::string& database) const {
  return "host=127.0.0.1 port=" + std::to_string(sql_port_) + " dbname=" + database +
         " user=root connect_timeout=10";
}

::testing::AssertionResult CairnProcess::Start(std::chrono::milliseconds deadline) {
  // A port picked free can be taken by another process before the node
  // binds it. Until the node has served once, pick new ports and retry;
  // after that the ports are part of the node's identity (Restart()).
  for (int attempt = 1;; ++attempt) {
    std::error_code ec;
    const auto log_size = std::filesystem::exists(log_path(), ec)
                              ? std::filesystem::file_size(log_path(), ec)
                              : 0;
    ::testing::AssertionResult result = StartOnce(deadline);
    if (result) {
      served_ = true;
      return result;
    }
    std::ifstream log(log_path());
    log.seekg(static_cast<std::streamoff>(log_size));
    std::string attempt_log((std::istreambuf_iterator<char>(log)),
                            std::istreambuf_iterator<char>());
    if (served_ || attempt == 3 || running() ||
        attempt_log.find("Address already in use") == std::string::npos) {
      return result;
    }
    PickPorts();
  }
}

::testing::AssertionResult CairnProcess::StartOnce(std::chrono::milliseconds deadline) {
  if (running()) return ::testing::AssertionFailure() << "Start(): already running";
  auto addr = [](uint16_t port) { return "127.0.0.1:" + std::to_string(port); };
  std::vector<std::string> args = {binary_,         "start",         "--data-dir",
                                   data_dir_,       "--sql-addr",    addr(sql_port_),
                                   "--rpc-addr",    addr(rpc_port_), "--http-addr",
                                   addr(http_port_)};
  args.insert(args.end(), extra_flags_.begin(), extra_flags_.end());
  // Everything the child needs is built before fork(): after it, only
  // async-signal-safe calls.
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e) envp.push_back(*e);
  for (auto& e : extra_env_) envp.push_back(e.data());
  envp.push_back(nullptr);
  int log_fd = open(log_path().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    return ::testing::AssertionFailure()
           << "cannot open " << log_path() << ": " << std::strerror(errno);
  }
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    // The node dies with the test process, even if the test crashes.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(126);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    execve(argv[0], argv.data(), envp.data());
    const char msg[] = "cairn_process: execv of the cairn binary failed (set CAIRN_BINARY)\n";
    ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)ignored;
    _exit(127);
  }
  close(log_fd);
  if (null_fd >= 0) close(null_fd);
  if (pid < 0) return ::testing::AssertionFailure() << "fork: " << std::strerror(errno);
  pid_ = pid;
  exit_code_ = -1;

  const auto start = Clock::now();
  for (;;) {
    if (Reaped()) {
      return ::testing::AssertionFailure() << binary_ << " exited with " << exit_code_
                                           << " before serving; its log: " << log_path();
    }
    if (HttpGet("/health") == 200) return ::testing::AssertionSuccess();
    if (Clock::now() - start > deadline) {
      return ::testing::AssertionFailure()
             << "node pid " << pid_ << " did not answer /health with 200 within "
             << deadline.count() << " ms; its log: " << log_path();
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

int CairnProcess::DecodeWaitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

bool CairnProcess::Reaped() {
  if (pid_ <= 0) return true;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_code_ = DecodeWaitStatus(status);
    pid_ = -1;
    return true;
  }
  return false;
}

int CairnProcess::Stop(std::chrono::milliseconds deadline) {
  if (!running()) {
    ADD_FAILURE() << "Stop(): not running";
    return -1;
  }
  kill(pid_, SIGTERM);
  const auto start = Clock::now();
  while (!Reaped()) {
    if (Clock::now() - start > deadline) {
      ADD_FAILURE() << "node pid " << pid_ << " did not exit within " << deadline.count()
                    << " ms of SIGTERM; killing it";
      Kill();
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return exit_code_;
}

void CairnProcess::Kill() {
  if (!running()) return;
  kill(pid_, SIGKILL);
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  exit_code_ = DecodeWaitStatus(status);
  pid_ = -1;
}

bool CairnProcess::Alive() { return !Reaped(); }

::testing::AssertionResult CairnProcess::Restart() {
  if (running()) {
    int code = Stop();
    if (code != 0) return ::testing::AssertionFailure() << "Restart(): stop exited with " << code;
  }
  return Start();
}

int CairnProcess::HttpGet(const std::string& path, std::string* body) const {
  return HttpGetLocal(http_port_, path, body);
}

int HttpGetLocal(uint16_t port, const std::string& path, std::string* body) {
  int fd = ConnectLocal(port, 5);
  if (fd < 0) return 0;
  std::string request = "GET " + path +
                        " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (!SendAll(fd, request)) {
    close(fd);
    return 0;
  }
  std::string response;
  char buf[4096];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    response.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  // "HTTP/1.1 200 OK\r\n..."
  if (response.size() < 12 || response.compare(0, 5, "HTTP/") != 0) return 0;
  size_t sp = response.find(' ');
  int status = std::atoi(response.c_str() + sp + 1);
  if (body != nullptr) {
    size_t header_end = response.find("\r\n\r\n");
    *body = header_end == std::string::npos ? "" : response.substr(header_end + 4);
  }
  return status;
}

std::string CairnProcess::LogTail(size_t lines) const {
  std::ifstream in(log_path());
  std::deque<std::string> tail;
  std::string line;
  while (std::getline(in, line)) {
    tail.push_back(line);
    if (tail.size() > lines) tail.pop_front();
  }
  std::string out;
  for (const auto& l : tail) out += l + "\n";
  return out;
}

std::string StartupErrorSqlstate(uint16_t port, const std::string& user,
                                 const std::string& database) {
  int fd = ConnectLocal(port, 10);
  if (fd < 0) return "";
  std::string body;
  AppendInt32(&body, 3u << 16);
  for (const std::string& s : {std::string("user"), user, std::string("database"), database}) {
    body += s;
    body.push_back('\0');
  }
  body.push_back('\0');
  std::string packet;
  AppendInt32(&packet, static_cast<uint32_t>(body.size() + 4));
  packet += body;
  std::string sqlstate;
  if (SendAll(fd, packet)) {
    for (int i = 0; i < 32; ++i) {
      char header[5];
      if (!RecvExactly(fd, header, sizeof header)) break;
      uint32_t len;
      std::memcpy(&len, header + 1, 4);
      len = ntohl(len);
      if (len < 4 || len > (1u << 20)) break;
      std::string msg(len - 4, '\0');
      if (!RecvExactly(fd, msg.data(), msg.size())) break;
      if (header[0] == 'Z') break;  // ReadyForQuery: logged in
      if (header[0] == 'R' && msg.size() >= 4) {
        uint32_t code;
        std::memcpy(&code, msg.data(), 4);
        code = ntohl(code);
        // A password is asked for: answer wrongly, to read the failure.
        std::string answer;
        if (code == 5) {  // md5
          answer = "md5" + std::string(32, '0');
          answer.push_back('\0');
        } else if (code == 10) {  // SASL: SCRAM-SHA-256's client-first-message
          const std::string first = "n,,n=,r=cairntestnonce";
          answer = std::string("SCRAM-SHA-256") + '\0';
          AppendInt32(&answer, static_cast<uint32_t>(first.size()));
          answer += first;
        } else if (code == 11) {  // a proof of zeros for the server's nonce
          const std::string server_first = msg.substr(4);
          const size_t comma = server_first.find(',');
          answer = "c=biws," + server_first.substr(0, comma) + ",p=" + std::string(43, 'A') + "=";
        }
        if (!answer.empty()) {
          std::string message = "p";
          AppendInt32(&message, static_cast<uint32_t>(answer.size() + 4));
          message += answer;
          if (!SendAll(fd, message)) break;
        }
        continue;
      }
      if (header[0] == 'E') {
        // Fields: a code byte and a C string each, then a 0 byte.
        size_t pos = 0;
        while (pos < msg.size() && msg[pos] != '\0') {
          char code = msg[pos++];
          size_t end = msg.find('\0', pos);
          if (end == std::string::npos) break;
          if (code == 'C') sqlstate = msg.substr(pos, end - pos);
          pos = end + 1;
        }
        break;
      }
    }
  }
  close(fd);
  return sqlstate;
}

}  // namespace cairn::testing
