#include "util/error.hpp"

#include <algorithm>
#include <tuple>

#include "util/strings.hpp"

namespace calzion {

std::string SourceLocation::to_string() const {
    std::string out = file;
    if (line > 0) {
        out += ":" + std::to_string(line);
        if (column > 0) {
            out += ":" + std::to_string(column);
        }
    }
    return out;
}

int exit_code_for(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::operation_failed: return 1;
    case ErrorKind::usage: return 64;
    case ErrorKind::invalid_data: return 65;
    case ErrorKind::unreachable: return 69;
    case ErrorKind::lock_held: return 75;
    case ErrorKind::permission: return 77;
    case ErrorKind::interrupted: return 130;
    }
    return 1;
}

Error::Error(ErrorKind kind, std::string message)
    : std::runtime_error(message), m_kind(kind), m_message(std::move(message)) {}

Error::Error(ErrorKind kind, SourceLocation where, std::string message)
    : std::runtime_error(where.to_string() + ": " + message),
      m_kind(kind),
      m_where(std::move(where)),
      m_message(std::move(message)) {}

Error Error::on_host(std::string host) const {
    Error copy = *this;
    copy.m_host = std::move(host);
    return copy;
}

Error Error::from_diagnostics(ErrorKind kind, std::vector<Diagnostic> diagnostics) {
    const Diagnostic& first = diagnostics.front();
    Error error(kind, first.where, first.message);
    error.m_diagnostics = std::move(diagnostics);
    return error;
}

LineIndex::LineIndex(std::string_view text) {
    m_starts.push_back(0);
    for (size_t at = text.find('\n'); at != std::string_view::npos; at = text.find('\n', at + 1)) {
        m_starts.push_back(at + 1);
    }
}

std::string_view LineIndex::line(std::string_view text, int line) const {
    if (line <= 0 || static_cast<size_t>(line) > m_starts.size()) {
        return {};
    }
    auto index = static_cast<size_t>(line);
    size_t start = std::min(m_starts[index - 1], text.size());
    size_t end = index < m_starts.size() ? m_starts[index] - 1 : text.size();
    std::string_view result = text.substr(start, std::max(end, start) - start);
    if (!result.empty() && result.back() == '\r') {
        result.remove_suffix(1);
    }
    return result;
}

SourceLocation LineIndex::locate(std::string file, size_t offset) const {
    auto after = std::upper_bound(m_starts.begin(), m_starts.end(), offset);
    size_t line = static_cast<size_t>(after - m_starts.begin());
    size_t column = offset - m_starts[line - 1] + 1;
    return {std::move(file), static_cast<int>(line), static_cast<int>(column)};
}

Diagnostics::Diagnostics(std::string source_text)
    : m_source_text(std::move(source_text)), m_lines(m_source_text) {}

void Diagnostics::add(SourceLocation where, std::string message) {
    if (m_items.size() >= k_max_diagnostics) {
        ++m_dropped;
        return;
    }
    std::string_view line = m_lines.line(m_source_text, where.line);
    // The line goes to a terminal: a hostile file must not reach it with escapes.
    std::string source_line = util::printable(line.size() <= k_max_source_line ? line : std::string_view());
    m_items.push_back({std::move(where), std::move(message), std::move(source_line)});
}

void Diagnostics::throw_if_any(ErrorKind kind) const {
    if (m_items.empty()) {
        return;
    }
    std::vector<Diagnostic> sorted = m_items;
    std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic& a, const Diagnostic& b) {
        return std::tie(a.where.line, a.where.column) < std::tie(b.where.line, b.where.column);
    });
    if (m_dropped > 0) {
        sorted.push_back({{sorted.front().where.file, 0, 0},
                          std::to_string(m_dropped) + " more problems not shown",
                          {}});
    }
    throw Error::from_diagnostics(kind, std::move(sorted));
}

std::string line_of(const std::string& text, int line) {
    return std::string(LineIndex(text).line(text, line));
}

}  // namespace calzion
