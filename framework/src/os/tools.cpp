#include "os/tools.hpp"

#include "os/process.hpp"

namespace ccci::host {

const std::vector<RequiredTool>& framework_tools() {
  static const std::vector<RequiredTool> tools{
      {"docker", "deploys and inspects stacks, creates secrets, runs hooks (exec) and copies volumes (cp)"},
      {"git", "checks out the ref under test, lists release tags, syncs upstreams and mirrors in the sweep"},
  };
  return tools;
}

namespace {
std::string tool_version(const std::string& tool) {
  try {
    ProcessOptions o;
    o.timeout = std::chrono::seconds(10);
    o.merge_stderr = true;
    auto r = run_process({tool, "--version"}, o);
    return r.out.substr(0, r.out.find('\n'));
  } catch (const std::exception&) {
    return "";
  }
}
} // namespace

std::vector<ToolInfo> fingerprint(const std::vector<std::string>& tools) {
  std::vector<ToolInfo> out;
  for (auto& t : tools) {
    auto path = find_on_path(t);
    out.push_back({t, path ? path->string() : "", path ? tool_version(t) : ""});
  }
  return out;
}

} // namespace ccci::host
