// The SDK's git helpers, host side: git and git-lfs round trips against a
// deployed app (Context::git_round_trip, lfs_round_trip, lfs_push_file,
// lfs_fetch). Every git command goes through run_process with a private
// HOME and global config in a temporary directory that is always removed, so
// nothing of the user's or the machine's git configuration is read or written.
#pragma once

#include "plugin/http.hpp"

#include <ccci/plugin.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

namespace ccci::host {

/// Where git finds one repository of the app.
struct GitRemote {
  std::string url;                        ///< "http://<domain>/git/x.git", "https://...", or "file:///..." (tests)
  std::string proxy;                      ///< the HTTP proxy git and git-lfs go through; "" = none
  std::chrono::seconds step_timeout{300}; ///< per git command
};

/// The remote for `repo_path` behind `target`. Through a real Traefik
/// (base_url "https://<domain>") the URL is direct. Through the managed edge
/// (base_url "http://127.0.0.1:<port>", Host = domain) git speaks to the edge
/// as an HTTP proxy with the domain in the URL: git, git-lfs (which ignores a
/// Host header set by config) and the LFS server's absolute hrefs then all
/// use the app's real host name, exactly as through Traefik.
GitRemote git_remote_for(const HttpTarget& target, std::string_view repo_path);

GitRoundTrip git_round_trip(const GitRemote& remote);
LfsRoundTrip lfs_round_trip(const GitRemote& remote, std::size_t bytes, std::string_view pattern);
LfsRoundTrip lfs_push_file(const GitRemote& remote, std::string_view file, std::string_view content);
LfsRoundTrip lfs_fetch(const GitRemote& remote, std::string_view file, std::string_view expected_sha256);

/// SHA-256 (lower-case hex) of bytes / of a file, computed by sha256sum.
/// Throw InfraError when sha256sum cannot be run.
std::string sha256_hex(std::string_view bytes);
std::string sha256_of_file(const std::filesystem::path& file);

/// A file name matching a git-lfs track pattern ("*.bin" -> "ccci-lfs-<tag>.bin").
std::string name_matching(std::string_view pattern, std::string_view tag);

} // namespace ccci::host
