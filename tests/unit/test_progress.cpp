// Progress a person can follow (docs/architecture.md, "Reporting"): the
// status texts of converge and readiness, the console's two ways of showing a
// status, and the "running …" line of the commands that run child runs.
#define BOOST_TEST_MODULE progress
#include <boost/test/unit_test.hpp>

#include "jobs/job_progress.hpp"
#include "report/reporter.hpp"
#include "run/wait_status.hpp"
#include "support/files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>
#include <string>

using namespace ccci::host;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

ServiceState service(std::string name, int running, int desired) {
  ServiceState s;
  s.name = std::move(name);
  s.running = running;
  s.desired = desired;
  return s;
}

bool has_control_bytes(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c == '\r' || c == '\x1b'; });
}

std::size_t count(const std::string& s, std::string_view what) {
  std::size_t n = 0;
  for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + what.size()))
    ++n;
  return n;
}

/// A clock the test moves by hand.
struct HandClock {
  Clock::time_point t = Clock::time_point{} + 1h;
  std::function<Clock::time_point()> fn() {
    return [this] { return t; };
  }
};

const DeployTimeout default_timeout{300s, "ccci's default (no --deploy-timeout, meta deploy_timeout or timeout label)",
                                    "ccci's default"};

} // namespace

// ---- converge: the services' counts -----------------------------------------

BOOST_AUTO_TEST_CASE(services_are_named_short_with_their_counts_health_and_updates) {
  auto app = service("st_app", 0, 1);
  app.starting = 1;
  auto db = service("st_db", 1, 1);
  auto worker = service("st_worker", 2, 2);
  worker.update_state = "updating";
  auto cache = service("st_cache", 1, 1);
  cache.unhealthy = 1;
  auto s = summarize_services({app, db, worker, cache}, "st");
  BOOST_TEST(s.text == "app 0/1 (1 health: starting), db 1/1, worker 2/2 (updating), cache 1/1 (1 unhealthy)");
  BOOST_TEST(!s.settled);
}

BOOST_AUTO_TEST_CASE(replicas_are_ready_when_every_service_runs_its_tasks_whatever_else_is_awaited) {
  // What converge's quick poll waits for between two full looks
  // (docs/architecture.md, "Where an install's time goes").
  auto updating = service("st_app", 1, 1);
  updating.update_state = "updating";
  auto s = summarize_services({updating, service("st_db", 2, 2)}, "st");
  BOOST_TEST(s.replicas_ready);
  BOOST_TEST(!s.settled);
  BOOST_TEST(!summarize_services({service("st_app", 1, 1), service("st_db", 0, 1)}, "st").replicas_ready);
  // As settled counts them: a service scaled to zero runs all it wants;
  // none listed yet is no sign of convergence.
  BOOST_TEST(summarize_services({service("st_app", 0, 0)}, "st").replicas_ready);
  BOOST_TEST(!summarize_services({}, "st").replicas_ready);
}

BOOST_AUTO_TEST_CASE(services_settle_only_when_every_one_is_whole_healthy_and_not_updating) {
  BOOST_TEST(summarize_services({service("st_app", 1, 1), service("st_db", 1, 1)}, "st").settled);
  BOOST_TEST(!summarize_services({service("st_app", 1, 1), service("st_db", 0, 1)}, "st").settled);
  auto done = service("st_app", 1, 1);
  done.update_state = "completed";
  BOOST_TEST(summarize_services({done}, "st").settled);
  // Nothing listed yet is not settled: zero services never converge.
  auto none = summarize_services({}, "st");
  BOOST_TEST(!none.settled);
  BOOST_TEST(none.text == "no services yet");
}

BOOST_AUTO_TEST_CASE(the_converge_status_holds_the_counts_the_elapsed_time_and_the_bound_with_its_origin) {
  auto s = converge_status(summarize_services({service("st_app", 0, 1), service("st_db", 1, 1)}, "st"), 12.4,
                           default_timeout);
  BOOST_TEST(s.state == "converging: app 0/1, db 1/1");
  BOOST_TEST(s.clock == "12s of 300s, deploy timeout from ccci's default");
  // Without a short origin, the long one names it.
  auto long_only = converge_status(summarize_services({service("st_app", 1, 1)}, "st"), 3,
                                   DeployTimeout{60s, "deploy_timeout in /r/ccci.yml", ""});
  BOOST_TEST(long_only.clock == "3s of 60s, deploy timeout from deploy_timeout in /r/ccci.yml");
}

// ---- readiness: the probe, attempt k of n, what was seen --------------------

BOOST_AUTO_TEST_CASE(runs_of_the_same_answer_are_counted) {
  BOOST_TEST(runs_of({"no answer", "no answer", "no answer", "502", "502", "200"}) == "no answer ×3, 502 ×2, 200");
  BOOST_TEST(runs_of({"404"}) == "404");
  BOOST_TEST(runs_of({}) == "");
}

BOOST_AUTO_TEST_CASE(the_readiness_status_names_the_probe_the_attempt_of_how_many_and_what_was_seen) {
  ReadinessProbe p{"/health", 200, 30, 2s};
  auto s = readiness_status(p, 2, 3, {"no answer", "no answer", "502"}, 5.2);
  BOOST_TEST(s.state == "ready: GET /health (probe 2 of 3) → 502, want 200");
  BOOST_TEST(s.clock == "attempt 3 of 30, 2s apart; seen no answer ×2, 502; 5s");
  // One probe: no "probe 1 of 1"; expect 0 means any answer from the app.
  auto any = readiness_status({"/", 0, 10, 1s}, 1, 1, {"no answer"}, 0);
  BOOST_TEST(any.state == "ready: GET / → no answer, want an answer from the app");
  BOOST_TEST(any.clock == "attempt 1 of 10, 1s apart; seen no answer; 0s");
}

// ---- the console's two ways ---------------------------------------------------

BOOST_AUTO_TEST_CASE(on_a_live_terminal_a_status_is_rewritten_in_place_and_the_next_line_replaces_it_cleanly) {
  std::ostringstream out;
  HandClock clock;
  {
    ConsoleReporter console(out, {.live = true, .columns = 200}, clock.fn());
    console.status("install", {"converging: app 0/1", "1s of 300s"});
    clock.t += 1s;
    console.status("install", {"converging: app 0/1", "2s of 300s"});
    BOOST_TEST(out.str() == "\r\x1b[K[   0.0s] install  converging: app 0/1 — 1s of 300s"
                            "\r\x1b[K[   1.0s] install  converging: app 0/1 — 2s of 300s");
    console.progress("install", "pass  install/converged");
    BOOST_TEST(out.str().ends_with("— 2s of 300s\r\x1b[K[   1.0s] install  pass  install/converged\n"));
    // A permanent line with no status before it is printed as it is.
    auto before = out.str().size();
    console.line("plain");
    BOOST_TEST(out.str().substr(before) == "plain\n");
    console.status("install", {"ready: GET / → 502, want 200", "attempt 1 of 30"});
  }
  // A status still shown when the console goes keeps its line: what comes
  // next (an error on the way out) starts on a fresh one.
  BOOST_TEST(out.str().ends_with("— attempt 1 of 30\n"));
}

BOOST_AUTO_TEST_CASE(a_live_status_is_cut_to_the_terminal_width_by_characters_not_bytes) {
  std::ostringstream out;
  HandClock clock;
  ConsoleReporter console(out, {.live = true, .columns = 30}, clock.fn());
  // "→" is three bytes; the line must stay one row of the terminal.
  console.status("install", {"ready: GET / → 502 and a lot more", "attempt 1"});
  const auto shown = out.str().substr(std::string_view("\r\x1b[K").size());
  BOOST_TEST(shown == "[   0.0s] install  ready: GET");
  console.status("install", {"ready: → → → → → → → → → → → →", ""});
  const auto arrows = out.str().substr(out.str().rfind("\x1b[K") + 3);
  BOOST_TEST(arrows == "[   0.0s] install  ready: → →");
}

BOOST_AUTO_TEST_CASE(off_a_terminal_a_status_is_a_line_when_its_state_changes_or_every_ten_seconds) {
  std::ostringstream out;
  HandClock clock;
  ConsoleReporter console(out, {.live = false, .columns = 0}, clock.fn());
  console.status("install", {"converging: app 0/1", "0s of 300s"});
  for (int i = 1; i < 10; ++i) {
    clock.t += 1s;
    console.status("install", {"converging: app 0/1", fmt::format("{}s of 300s", i)});
  }
  BOOST_TEST(out.str() == "[   0.0s] install  converging: app 0/1 — 0s of 300s\n");
  clock.t += 1s; // 10 s since the last line: printed though nothing changed
  console.status("install", {"converging: app 0/1", "10s of 300s"});
  clock.t += 1s; // a change is printed at once
  console.status("install", {"converging: app 1/1 (1 health: starting)", "11s of 300s"});
  clock.t += 1s;
  console.status("install", {"converging: app 1/1 (1 health: starting)", "12s of 300s"});
  BOOST_TEST(out.str() == "[   0.0s] install  converging: app 0/1 — 0s of 300s\n"
                          "[  10.0s] install  converging: app 0/1 — 10s of 300s\n"
                          "[  11.0s] install  converging: app 1/1 (1 health: starting) — 11s of 300s\n");
  // After a permanent line the next wait's first status is news again,
  // even with the same state (upgrade converging like install did).
  console.progress("upgrade", "docker stack deploy");
  console.status("install", {"converging: app 1/1 (1 health: starting)", "0s of 300s"});
  BOOST_TEST(count(out.str(), "converging: app 1/1 (1 health: starting)") == 2);
  BOOST_TEST(!has_control_bytes(out.str()));
}

BOOST_AUTO_TEST_CASE(the_run_log_is_never_live_even_when_the_terminal_is) {
  ccci::test::TempTree tmp("progress");
  std::ostringstream out;
  HandClock clock;
  {
    ConsoleReporter console(out, {.live = true, .columns = 120}, clock.fn());
    console.open_log(tmp / "ccci.log");
    console.status("install", {"converging: app 0/1", "0s of 300s"});
    clock.t += 1s;
    console.status("install", {"converging: app 0/1", "1s of 300s"});
    clock.t += 1s;
    console.status("install", {"converging: app 1/1", "2s of 300s"});
    console.progress("install", "pass  install/converged");
  }
  BOOST_TEST(count(out.str(), "\r\x1b[K") == 4); // three statuses and the line that replaced the last
  auto log = ccci::test::read(tmp / "ccci.log");
  BOOST_TEST(log == "[   0.0s] install  converging: app 0/1 — 0s of 300s\n"
                    "[   2.0s] install  converging: app 1/1 — 2s of 300s\n"
                    "[   2.0s] install  pass  install/converged\n");
}

BOOST_AUTO_TEST_CASE(a_status_passes_the_redactor_like_every_other_event) {
  struct Seen final : RunListener {
    LiveStatus last;
    void status(std::string_view, const LiveStatus& s) override { last = s; }
  } seen;
  Redactor redactor;
  redactor.add({"st_db_password_v1", "hunter2-correct-horse"});
  RedactingListener door(redactor, seen);
  door.status("install", {"converging: db says hunter2-correct-horse", "3s of hunter2-correct-horse"});
  BOOST_TEST(seen.last.state.find("hunter2-correct-horse") == std::string::npos);
  BOOST_TEST(seen.last.clock.find("hunter2-correct-horse") == std::string::npos);
  BOOST_TEST(seen.last.state.find("[redacted:st_db_password_v1]") != std::string::npos);
  BOOST_TEST(seen.last.clock.find("[redacted:st_db_password_v1]") != std::string::npos);
}

// ---- which child runs are going ----------------------------------------------

BOOST_AUTO_TEST_CASE(short_durations_read_as_seconds_minutes_or_hours) {
  BOOST_TEST(short_duration(45s) == "45s");
  BOOST_TEST(short_duration(185s) == "3m05s");
  BOOST_TEST(short_duration(3720s) == "1h02m");
  BOOST_TEST(short_duration(-3s) == "0s");
}

BOOST_AUTO_TEST_CASE(the_running_line_names_the_running_ones_in_start_order_with_their_times_and_counts_the_done) {
  const auto began = Clock::time_point{} + 1h;
  const auto now = began + 200s;
  std::vector<ChildJob> jobs(12);
  for (std::size_t i = 0; i < 5; ++i) {
    jobs[i].started = jobs[i].finished = true;
    jobs[i].label = fmt::format("done-{}", i);
  }
  jobs[7].started = true;
  jobs[7].started_at = now - 12s;
  jobs[7].label = "good-simple";
  jobs[6].started = true;
  jobs[6].started_at = now - 45s;
  jobs[6].log = "/runs/logs/bad-restore.log"; // no label: the log's name
  BOOST_TEST(running_line(jobs, now, began, false) ==
             "running 2 of 12 (5 done, 3m20s in): bad-restore 45s, good-simple 12s");
  BOOST_TEST(running_line(jobs, now, began, true) ==
             "stopping: waiting for 2 of 12 (5 done, 3m20s in): bad-restore 45s, good-simple 12s");
  std::vector<ChildJob> none(3);
  BOOST_TEST(running_line(none, began, began, false) == "running 0 of 3 (0 done, 0s in)");
}
