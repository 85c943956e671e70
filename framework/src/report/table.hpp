// The one fixed-width text table behind the lint, sweep, canary and triage
// tables: columns as wide as their widest cell, so every table lines up the
// same way and a new one needs no hand-counted format strings.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace ccci::host {

enum class Align { left, right };

struct TableColumn {
  std::string header;
  /// The column is at least this wide, so tables printed apart (triage's
  /// sections) line up even when one holds only short cells.
  std::size_t min_width = 0;
  Align align = Align::left;
  /// Printed before this column instead of the table's gap.
  std::optional<std::string> gap_before = std::nullopt;
};

struct TableLayout {
  std::string indent = ""; ///< before every line
  std::string gap = "  ";  ///< between two columns
  bool header = true;      ///< the first line names the columns
  bool underline = false;  ///< dashes under each header
  /// By default a left-aligned last column runs free, unpadded: long details
  /// stay on one line that can be searched and copied whole.
  bool pad_last = false;
  /// A row's notes start under its last column, or else `note_indent` spaces in.
  bool notes_under_last_column = false;
  std::size_t note_indent = 4;
};

class TextTable {
public:
  explicit TextTable(std::vector<TableColumn> columns, TableLayout layout = {});

  /// One cell per column; each note is printed on a line of its own under the
  /// row. Throws std::invalid_argument when the cell count is not the column
  /// count.
  void add_row(std::vector<std::string> cells, std::vector<std::string> notes = {});

  /// Every line ends in '\n'; a table without header and rows renders "".
  std::string render() const;

private:
  struct Row {
    std::vector<std::string> cells;
    std::vector<std::string> notes;
  };
  std::vector<TableColumn> columns_;
  TableLayout layout_;
  std::vector<Row> rows_;
};

/// How many columns `text` takes on a terminal: its UTF-8 code points, so a
/// "—" pads like one character (wide CJK glyphs are not accounted for).
std::size_t display_width(const std::string& text);

} // namespace ccci::host
