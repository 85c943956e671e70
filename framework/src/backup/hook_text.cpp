// What a hook's text says it does (backup/hook_text.hpp): a small tokenizer
// that knows shell quoting, operators and redirections, and no more.
#include "backup/hook_text.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace ccci::host {
namespace {

using namespace std::string_view_literals;

struct Token {
  bool op = false; ///< an operator or redirection, else a word
  std::string text;
};

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }
bool op_char(char c) { return c == ';' || c == '&' || c == '|' || c == '<' || c == '>' || c == '(' || c == ')'; }
bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

/// Shell words and operators. Quotes are removed; `$(...)` and backticks
/// stay inside their word as written (what they print is unknowable here).
std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> out;
  std::string word;
  bool in_word = false;
  auto end_word = [&] {
    if (in_word) out.push_back({false, word});
    word.clear();
    in_word = false;
  };
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (blank(c)) {
      end_word();
      ++i;
    } else if (c == '\n') {
      end_word();
      out.push_back({true, ";"});
      ++i;
    } else if (c == '\'') {
      const auto close = s.find('\'', i + 1);
      word.append(s.substr(i + 1, close == std::string_view::npos ? std::string_view::npos : close - i - 1));
      in_word = true;
      i = close == std::string_view::npos ? s.size() : close + 1;
    } else if (c == '"') {
      for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\' && i + 1 < s.size() && std::string_view("\"\\$`").find(s[i + 1]) != std::string_view::npos)
          ++i;
        word.push_back(s[i]);
      }
      in_word = true;
      ++i;
    } else if (c == '\\' && i + 1 < s.size()) {
      word.push_back(s[i + 1]);
      in_word = true;
      i += 2;
    } else if (c == '$' && i + 1 < s.size() && s[i + 1] == '(') {
      int depth = 0;
      const auto start = i;
      for (; i < s.size(); ++i) {
        if (s[i] == '(') ++depth;
        if (s[i] == ')' && --depth == 0) break;
      }
      word.append(s.substr(start, i - start + 1));
      in_word = true;
      ++i;
    } else if (c == '`') {
      const auto close = s.find('`', i + 1);
      word.append(s.substr(i, close == std::string_view::npos ? std::string_view::npos : close - i + 1));
      in_word = true;
      i = close == std::string_view::npos ? s.size() : close + 1;
    } else if (op_char(c)) {
      // "2>" and "2>>" are one redirection of file descriptor 2.
      std::string op;
      if ((c == '>' || c == '<') && in_word && all_digits(word)) {
        op = word;
        word.clear();
        in_word = false;
      }
      end_word();
      op.push_back(c);
      ++i;
      const char next = i < s.size() ? s[i] : '\0';
      if ((c == '&' && (next == '&' || next == '>')) || (c == '|' && next == '|') ||
          (c == '>' && (next == '>' || next == '&' || next == '|')) || (c == '<' && next == '<')) {
        op.push_back(next);
        ++i;
      }
      out.push_back({true, op});
    } else {
      word.push_back(c);
      in_word = true;
      ++i;
    }
  }
  end_word();
  return out;
}

bool separator(const std::string& op) {
  return op == ";" || op == "&&" || op == "||" || op == "|" || op == "&" || op == "(" || op == ")";
}

/// A redirection that writes its target to a file: stdout, or stdout and stderr.
bool writing_redirection(const std::string& op) {
  return op == ">" || op == ">>" || op == ">|" || op == "&>" || op == "1>" || op == "1>>";
}

bool assignment(const std::string& word) {
  const auto eq = word.find('=');
  return eq != std::string::npos && eq > 0 &&
         std::all_of(word.begin(), word.begin() + static_cast<std::ptrdiff_t>(eq),
                     [](unsigned char c) { return std::isalnum(c) || c == '_'; }) &&
         !std::isdigit(static_cast<unsigned char>(word.front()));
}

bool is_shell(std::string_view name) { return name == "sh" || name == "bash" || name == "dash" || name == "ash"; }

bool script_path(std::string_view word) {
  const auto name = program_name(word);
  return word.starts_with("./") || name.ends_with(".sh") || name.ends_with(".bash") || name.ends_with(".py") ||
         name.ends_with(".pl");
}

/// Commands that move or remove files rather than write their arguments.
bool writes_no_option_file(std::string_view name) {
  constexpr std::array names{"rm"sv,   "rmdir"sv,  "mkdir"sv, "chmod"sv, "chown"sv, "chgrp"sv,
                             "ln"sv,   "touch"sv,  "test"sv,  "["sv,     "ls"sv,    "cat"sv,
                             "echo"sv, "printf"sv, "find"sv,  "stat"sv,  "du"sv,    "psql"sv};
  return std::find(names.begin(), names.end(), name) != names.end();
}

/// The file named by an output option among `args`, per the header's list.
void option_writes(std::string_view name, const std::vector<std::string>& args, std::vector<std::string>& writes) {
  const bool result_file_short = name == "mysqldump" || name == "mariadb-dump";
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_next = i + 1 < args.size();
    for (auto flag : {"--file="sv, "--output="sv, "--result-file="sv, "--archive="sv, "--out="sv})
      if (a.starts_with(flag) && a.size() > flag.size()) writes.push_back(a.substr(flag.size()));
    if ((a == "--file" || a == "--output" || a == "--result-file" || a == "--out") && has_next)
      writes.push_back(args[i + 1]);
    if (a.size() >= 2 && a[0] == '-' && a[1] != '-') {
      // "-f x", "-fx", "-czf x": a short option taking a file, alone,
      // attached or ending a cluster of letters.
      const std::string_view opts(a.data() + 1, a.size() - 1);
      const auto takes_file = [&](char c) { return c == 'f' || c == 'o' || (result_file_short && c == 'r'); };
      if (opts.size() == 1 && takes_file(opts[0]) && has_next)
        writes.push_back(args[i + 1]);
      else if (opts.size() > 1 && takes_file(opts[0]) && (opts[1] == '/' || opts[1] == '.'))
        writes.emplace_back(opts.substr(1));
      else if (opts.size() > 1 && takes_file(opts.back()) && has_next &&
               std::all_of(opts.begin(), opts.end(), [](unsigned char c) { return std::isalpha(c); }))
        writes.push_back(args[i + 1]);
    }
  }
}

void analyse(std::string_view text, std::vector<HookCommand>& out, int depth);

/// One simple command's tokens (no separators) to a HookCommand, or to the
/// commands of the `-c` string it hands a shell.
void simple_command(const std::vector<Token>& tokens, std::vector<HookCommand>& out, int depth) {
  HookCommand cmd;
  std::vector<std::string> words;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].op) {
      const bool has_target = i + 1 < tokens.size() && !tokens[i + 1].op;
      if (has_target && writing_redirection(tokens[i].text) && tokens[i + 1].text != "/dev/null")
        cmd.writes.push_back(tokens[i + 1].text);
      if (has_target && (tokens[i].text == "<" || tokens[i].text == "0<")) cmd.reads.push_back(tokens[i + 1].text);
      if (has_target) ++i; // the target is not an argument
      continue;
    }
    words.push_back(tokens[i].text);
  }
  std::size_t first = 0;
  while (first < words.size() && assignment(words[first]))
    ++first;
  // Wrappers that run the next word as the command.
  while (first < words.size() &&
         (words[first] == "exec" || words[first] == "sudo" || words[first] == "env" || words[first] == "nice" ||
          words[first] == "nohup" || words[first] == "time" || words[first] == "command")) {
    ++first;
    while (first < words.size() && (assignment(words[first]) || words[first].starts_with('-')))
      ++first;
  }
  if (first >= words.size()) {
    if (!cmd.writes.empty()) out.push_back(std::move(cmd)); // "> file" alone truncates it
    return;
  }
  cmd.program = words[first];
  cmd.args.assign(words.begin() + static_cast<std::ptrdiff_t>(first) + 1, words.end());
  const auto name = program_name(cmd.program);

  if ((is_shell(name) || name == "su") && depth < 4) {
    auto c = std::find(cmd.args.begin(), cmd.args.end(), "-c");
    if (c != cmd.args.end() && c + 1 != cmd.args.end()) {
      // The shell's own redirections apply to what it runs.
      const auto before = out.size();
      analyse(*(c + 1), out, depth + 1);
      if (out.size() == before) {
        if (!cmd.writes.empty() || !cmd.reads.empty()) out.push_back(std::move(cmd));
        return;
      }
      out[before].writes.insert(out[before].writes.end(), cmd.writes.begin(), cmd.writes.end());
      out[before].reads.insert(out[before].reads.end(), cmd.reads.begin(), cmd.reads.end());
      return;
    }
  }
  const bool interpreter =
      is_shell(name) || name.starts_with("python") || name == "perl" || name == "node" || name == "ruby";
  cmd.script = script_path(cmd.program) || (interpreter && !cmd.args.empty() && !cmd.args[0].starts_with('-'));
  if (name == "tee") {
    for (const auto& a : cmd.args)
      if (!a.starts_with('-') && a != "/dev/null") cmd.writes.push_back(a);
  } else if (name == "cp" || name == "mv" || name == "install" || name == "rsync") {
    std::vector<std::string> operands;
    for (const auto& a : cmd.args)
      if (!a.starts_with('-')) operands.push_back(a);
    if (operands.size() >= 2) cmd.writes.push_back(operands.back());
  } else if (cmd.script) {
    for (const auto& a : cmd.args)
      if (a.starts_with('/')) cmd.writes.push_back(a);
  } else if (!writes_no_option_file(name)) {
    option_writes(name, cmd.args, cmd.writes);
  }
  out.push_back(std::move(cmd));
}

void analyse(std::string_view text, std::vector<HookCommand>& out, int depth) {
  const auto tokens = tokenize(text);
  std::vector<Token> current;
  for (const auto& t : tokens) {
    if (t.op && separator(t.text)) {
      simple_command(current, out, depth);
      current.clear();
    } else {
      current.push_back(t);
    }
  }
  simple_command(current, out, depth);
}

} // namespace

std::string_view program_name(std::string_view program) {
  const auto slash = program.rfind('/');
  return slash == std::string_view::npos ? program : program.substr(slash + 1);
}

std::vector<HookCommand> hook_commands(std::string_view hook) {
  std::vector<HookCommand> out;
  analyse(hook, out, 0);
  return out;
}

std::vector<std::string> files_written_by(std::string_view hook) {
  std::vector<std::string> out;
  for (const auto& cmd : hook_commands(hook))
    for (const auto& w : cmd.writes)
      if (std::find(out.begin(), out.end(), w) == out.end()) out.push_back(w);
  return out;
}

} // namespace ccci::host
