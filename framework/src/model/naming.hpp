// Names a run gives to things on the swarm.
#pragma once

#include <string>
#include <string_view>

namespace ccci::host {

/// `20261123T090102Z-custom-html-tiny-1a2b3c`: sortable, unique per run.
std::string make_run_id(std::string_view recipe, std::string_view utc_compact_time, std::string_view random_hex);

/// The app's test domain: `<recipe, at most 20 chars>-<6 hex>.ccci.test`, all
/// lower case, only [a-z0-9-] in the first label.
std::string test_domain(std::string_view recipe, std::string_view random_hex);

/// abra's rule: the domain with every '.' replaced by '_', cut to 45
/// characters (docker secret and config names built on it must stay under 64).
std::string stack_name_for(std::string_view domain);

/// A name docker accepts as a stack's: [A-Za-z0-9] then [A-Za-z0-9_.-]. The
/// code that removes a stack's objects checks it first: an empty name in a
/// `label=com.docker.stack.namespace=` filter matches the objects of every
/// stack, and removing those would take secrets from under other runs.
bool is_stack_name(std::string_view name);

/// `n` random lower-case hex characters from /dev/urandom. Throws
/// InfraFailure naming it when it cannot be read.
std::string random_hex(std::size_t n);

} // namespace ccci::host
