#include "report/table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace ccci::host {

std::size_t display_width(const std::string& text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

TextTable::TextTable(std::vector<TableColumn> columns, TableLayout layout)
    : columns_(std::move(columns)), layout_(std::move(layout)) {
  if (columns_.empty()) throw std::invalid_argument("a text table needs at least one column");
}

void TextTable::add_row(std::vector<std::string> cells, std::vector<std::string> notes) {
  if (cells.size() != columns_.size()) {
    std::vector<std::string> headers;
    for (const auto& c : columns_)
      headers.push_back(c.header);
    throw std::invalid_argument(fmt::format("a table row has {} cell(s) but the table has {} column(s) ({}): give "
                                            "one cell per column, \"\" for an empty one",
                                            cells.size(), columns_.size(), fmt::join(headers, ", ")));
  }
  rows_.push_back({std::move(cells), std::move(notes)});
}

std::string TextTable::render() const {
  const std::size_t last = columns_.size() - 1;
  std::vector<std::size_t> widths(columns_.size());
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    widths[i] = std::max(columns_[i].min_width, layout_.header ? display_width(columns_[i].header) : 0);
    for (const auto& row : rows_)
      widths[i] = std::max(widths[i], display_width(row.cells[i]));
  }
  auto gap_before = [&](std::size_t i) -> const std::string& {
    return columns_[i].gap_before ? *columns_[i].gap_before : layout_.gap;
  };
  auto runs_free = [&](std::size_t i) { return i == last && columns_[i].align == Align::left && !layout_.pad_last; };
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out = layout_.indent;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) out += gap_before(i);
      const std::string padding(widths[i] - std::min(widths[i], display_width(cells[i])), ' ');
      if (columns_[i].align == Align::right) {
        out += padding + cells[i];
      } else {
        out += cells[i];
        if (!runs_free(i)) out += padding;
      }
    }
    return out + "\n";
  };

  std::string out;
  if (layout_.header) {
    std::vector<std::string> headers;
    for (const auto& c : columns_)
      headers.push_back(c.header);
    out += line(headers);
    if (layout_.underline) {
      // An unpadded last column has no width of its own: underline its header.
      std::vector<std::string> dashes;
      for (std::size_t i = 0; i < columns_.size(); ++i)
        dashes.emplace_back(runs_free(i) ? display_width(columns_[i].header) : widths[i], '-');
      out += line(dashes);
    }
  }
  std::size_t last_column_start = 0;
  for (std::size_t i = 0; i < last; ++i)
    last_column_start += widths[i] + display_width(gap_before(i + 1));
  const std::string note_lead =
      layout_.indent + std::string(layout_.notes_under_last_column ? last_column_start : layout_.note_indent, ' ');
  for (const auto& row : rows_) {
    out += line(row.cells);
    for (const auto& note : row.notes)
      out += note_lead + note + "\n";
  }
  return out;
}

} // namespace ccci::host
