#include "report/listener.hpp"

#include "os/fs.hpp"

namespace ccci::host {

void Listeners::line(std::string_view text) {
  for (auto* l : listeners_)
    l->line(text);
}

void Listeners::progress(std::string_view tier, std::string_view text) {
  for (auto* l : listeners_)
    l->progress(tier, text);
}

void Listeners::check_done(const CheckRecord& check) {
  for (auto* l : listeners_)
    l->check_done(check);
}

void Listeners::tier_done(const TierResult& tier) {
  for (auto* l : listeners_)
    l->tier_done(tier);
}

void Listeners::run_finished(const RunResults& results, const std::filesystem::path& results_file) {
  for (auto* l : listeners_)
    l->run_finished(results, results_file);
}

void ResultsJsonWriter::run_finished(const RunResults& results, const std::filesystem::path& results_file) {
  write_file_atomically(results_file, to_json(results));
}

} // namespace ccci::host
