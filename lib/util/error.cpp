#include "util/error.hpp"

#include <algorithm>
#include <tuple>

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

Diagnostics::Diagnostics(std::string source_text) : m_source_text(std::move(source_text)) {}

void Diagnostics::add(SourceLocation where, std::string message) {
    std::string source_line = line_of(m_source_text, where.line);
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
    throw Error::from_diagnostics(kind, std::move(sorted));
}

std::string line_of(const std::string& text, int line) {
    if (line <= 0) {
        return {};
    }
    size_t start = 0;
    for (int current = 1; current < line; ++current) {
        start = text.find('\n', start);
        if (start == std::string::npos) {
            return {};
        }
        ++start;
    }
    size_t end = text.find('\n', start);
    std::string result = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!result.empty() && result.back() == '\r') {
        result.pop_back();
    }
    return result;
}

}  // namespace calzion
